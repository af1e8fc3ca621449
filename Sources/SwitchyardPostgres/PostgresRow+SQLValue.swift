import Foundation
import NIOCore
package import PostgresNIO
package import SwitchyardStore

extension PostgresRow {
    /// The row's column names, in order.
    package var columnNames: [String] { map(\.columnName) }

    /// The row's values as the engine-neutral ``SQLValue``s the read-only query and reports show: integers as
    /// integers (`numeric` too, when it is whole and fits 64 bits: `sum()` of a BIGINT column is `numeric`), floating
    /// point as reals, `bytea` as a blob, booleans as 0/1 (as SQLite stores them), anything else as its text.
    package var sqlValues: [SQLValue] {
        map(\.sqlValue)
    }
}

extension PostgresCell {
    /// The value as an ``SQLValue``: see ``PostgresRow/sqlValues``. Timestamps, dates, times and intervals are
    /// PostgreSQL's text for them (timestamps with a time zone in UTC, `+00`), `uuid` and `json` their text,
    /// arrays PostgreSQL's array text (`{1,2,NULL}`), object ids (`oid`, `regclass`, ...) integers. A type with no
    /// text form here comes as its text when its bytes are readable text (enums, domains over text), else as a
    /// blob of its binary form.
    package var sqlValue: SQLValue {
        guard let bytes else { return .null }
        if format == .text { return .text(String(decoding: bytes.readableBytesView, as: UTF8.self)) }
        return PostgresCellValue.value(dataType, bytes)
    }
}

/// One binary value of a given type as an ``SQLValue`` (a cell's, or an array element's).
enum PostgresCellValue {
    static func value(_ type: PostgresDataType, _ bytes: ByteBuffer) -> SQLValue {
        var buffer = bytes
        let context = PostgresDecodingContext.default
        switch type {
        case .int2, .int4, .int8:
            return (try? Int64(from: &buffer, type: type, format: .binary, context: context)).map(SQLValue.integer)
                ?? .null
        case .bool:
            return (try? Bool(from: &buffer, type: type, format: .binary, context: context)).map { .integer($0 ? 1 : 0) }
                ?? .null
        case .float4, .float8:
            return (try? Double(from: &buffer, type: type, format: .binary, context: context)).map(SQLValue.real)
                ?? .null
        case .numeric:
            guard let decimal = try? Decimal(from: &buffer, type: type, format: .binary, context: context) else {
                return .null
            }
            let text = "\(decimal)"
            if let integer = Int64(text) { return .integer(integer) }
            return Double(text).map(SQLValue.real) ?? .text(text)
        case .bytea:
            return .blob(Data(buffer.readableBytesView))
        case .text, .varchar, .bpchar, .name, .xml, .unknown:
            return .text(String(decoding: buffer.readableBytesView, as: UTF8.self))
        default:
            if let value = PostgresBinaryText.value(type, bytes) { return value }
            // An enum's or a domain's value is its text; anything else is shown as the bytes it came as.
            if let text = String(validating: buffer.readableBytesView, as: UTF8.self),
                !text.unicodeScalars.contains(where: { $0.value < 0x20 && !"\t\n\r".unicodeScalars.contains($0) })
            {
                return .text(text)
            }
            return .blob(Data(buffer.readableBytesView))
        }
    }
}
