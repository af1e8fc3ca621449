/// A JSON value with ordered object keys, written by hand so that output is stable and money stays exact text.
/// Reports are not built from it: they print their own encoding (``ReportOutput``), laid out by ``indented(_:)``.
///
/// ```swift
/// let json = JSONOutput.object([("user", .string("alice")), ("cost_usd", .string("0.001250"))])
/// print(json.rendered())   // {"user": "alice", "cost_usd": "0.001250"} over several lines
/// ```
indirect enum JSONOutput: Sendable {
    case null
    case bool(Bool)
    case integer(Int64)
    case number(Double)
    case string(String)
    case array([JSONOutput])
    case object([(String, JSONOutput)])

    static func int(_ value: Int) -> JSONOutput { .integer(Int64(value)) }

    /// Pretty-printed with two-space indentation and a final newline.
    func rendered() -> String {
        var compact = ""
        write(to: &compact)
        return Self.indented(compact) + "\n"
    }

    /// Compact JSON text `json` laid out for people, as ``rendered()`` lays out values: one member or element per
    /// line, two-space indentation, `": "` after keys, `[]` and `{}` for empty containers. Strings are kept as they
    /// are, so encoded JSON (`SwitchyardJSON`) and hand-built values print alike.
    static func indented(_ json: String) -> String {
        let bytes = Array(json.utf8)
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count * 2)
        var depth = 0
        var inString = false
        var escaped = false
        func newline() {
            output.append(UInt8(ascii: "\n"))
            output.append(contentsOf: repeatElement(UInt8(ascii: " "), count: depth * 2))
        }
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            if inString {
                output.append(byte)
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""):
                inString = true
                output.append(byte)
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                output.append(byte)
                let close = byte == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: "]")
                if index < bytes.count, bytes[index] == close {
                    output.append(close)
                    index += 1
                } else {
                    depth += 1
                    newline()
                }
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                depth -= 1
                newline()
                output.append(byte)
            case UInt8(ascii: ","):
                output.append(byte)
                newline()
            case UInt8(ascii: ":"):
                output.append(contentsOf: [UInt8(ascii: ":"), UInt8(ascii: " ")])
            case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"):
                break
            default:
                output.append(byte)
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// Compact JSON text.
    private func write(to output: inout String) {
        switch self {
        case .null: output.append("null")
        case .bool(let value): output.append(value ? "true" : "false")
        case .integer(let value): output.append(String(value))
        case .number(let value):
            // JSON has no infinities or NaN.
            output.append(value.isFinite ? Self.number(value) : "null")
        case .string(let value): Self.writeString(value, to: &output)
        case .array(let values):
            output.append("[")
            for (index, value) in values.enumerated() {
                if index > 0 { output.append(",") }
                value.write(to: &output)
            }
            output.append("]")
        case .object(let pairs):
            output.append("{")
            for (index, (key, value)) in pairs.enumerated() {
                if index > 0 { output.append(",") }
                Self.writeString(key, to: &output)
                output.append(":")
                value.write(to: &output)
            }
            output.append("}")
        }
    }

    /// The shortest text that reads back to the same double; whole numbers without a fraction.
    private static func number(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }

    private static func writeString(_ text: String, to output: inout String) {
        output.append("\"")
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": output.append("\\\"")
            case "\\": output.append("\\\\")
            case "\n": output.append("\\n")
            case "\r": output.append("\\r")
            case "\t": output.append("\\t")
            case let scalar where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                output.append("\\u" + String(repeating: "0", count: 4 - hex.count) + hex)
            default: output.unicodeScalars.append(scalar)
            }
        }
        output.append("\"")
    }
}
