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
    package var sqlValue: SQLValue {
        guard bytes != nil else { return .null }
        switch dataType {
        case .int2, .int4, .int8:
            return (try? decode(Int64.self)).map(SQLValue.integer) ?? .null
        case .bool:
            return (try? decode(Bool.self)).map { .integer($0 ? 1 : 0) } ?? .null
        case .float4, .float8:
            return (try? decode(Double.self)).map(SQLValue.real) ?? .null
        case .numeric:
            guard let decimal = try? decode(Decimal.self) else { return .null }
            let text = "\(decimal)"
            if let integer = Int64(text) { return .integer(integer) }
            return Double(text).map(SQLValue.real) ?? .text(text)
        case .bytea:
            return (try? decode(ByteBuffer.self)).map { .blob(Data($0.readableBytesView)) } ?? .null
        default:
            return (try? decode(String.self)).map(SQLValue.text) ?? .null
        }
    }
}
