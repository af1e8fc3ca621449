/// A JSON value with ordered object keys, written by hand so that output is stable and money stays exact text.
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

    /// An optional value, `null` when absent.
    static func optional<T>(_ value: T?, _ transform: (T) -> JSONOutput) -> JSONOutput {
        value.map(transform) ?? .null
    }

    /// Pretty-printed with two-space indentation and a final newline.
    func rendered() -> String {
        var output = ""
        write(to: &output, indent: 0)
        output.append("\n")
        return output
    }

    private func write(to output: inout String, indent: Int) {
        switch self {
        case .null: output.append("null")
        case .bool(let value): output.append(value ? "true" : "false")
        case .integer(let value): output.append(String(value))
        case .number(let value):
            // JSON has no infinities or NaN.
            output.append(value.isFinite ? Self.number(value) : "null")
        case .string(let value): Self.writeString(value, to: &output)
        case .array(let values):
            guard !values.isEmpty else { return output.append("[]") }
            output.append("[\n")
            for (index, value) in values.enumerated() {
                output.append(String(repeating: " ", count: indent + 2))
                value.write(to: &output, indent: indent + 2)
                output.append(index == values.count - 1 ? "\n" : ",\n")
            }
            output.append(String(repeating: " ", count: indent) + "]")
        case .object(let pairs):
            guard !pairs.isEmpty else { return output.append("{}") }
            output.append("{\n")
            for (index, (key, value)) in pairs.enumerated() {
                output.append(String(repeating: " ", count: indent + 2))
                Self.writeString(key, to: &output)
                output.append(": ")
                value.write(to: &output, indent: indent + 2)
                output.append(index == pairs.count - 1 ? "\n" : ",\n")
            }
            output.append(String(repeating: " ", count: indent) + "}")
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
