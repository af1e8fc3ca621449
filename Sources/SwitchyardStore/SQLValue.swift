public import struct Foundation.Data

/// One value of a read-only query's result, as SQLite stored it.
///
/// Encodes to plain JSON: `null`, a number, a string; a blob as a base64 string (decoding gives it back as
/// ``text(_:)``). Non-finite reals encode as the strings `"Infinity"`, `"-Infinity"`, `"NaN"`.
public enum SQLValue: Sendable, Hashable, Codable, CustomStringConvertible {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob(Data)

    /// The value as text for a table on a terminal: `NULL`, `42`, `0.5`, the text, or `x'0a1b'` for a blob.
    public var description: String {
        switch self {
        case .null: "NULL"
        case .integer(let value): String(value)
        case .real(let value): String(value)
        case .text(let value): value
        case .blob(let value): "x'" + value.map { String($0, radix: 16).leftPadded(to: 2) }.joined() + "'"
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Int64.self) {
            self = .integer(value)
        } else if let value = try? container.decode(Double.self) {
            self = .real(value)
        } else {
            self = .text(try container.decode(String.self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .integer(let value): try container.encode(value)
        case .real(let value) where value.isFinite: try container.encode(value)
        case .real(let value): try container.encode(value.isNaN ? "NaN" : (value < 0 ? "-Infinity" : "Infinity"))
        case .text(let value): try container.encode(value)
        case .blob(let value): try container.encode(value.base64EncodedString())
        }
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        String(repeating: "0", count: max(0, width - count)) + self
    }
}
