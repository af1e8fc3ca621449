import Foundation

/// A JSON document that can also hold what JSON parsers choke on: number text of any size, strings of raw
/// (possibly invalid UTF-8) bytes, duplicate keys.
indirect enum FuzzJSON: Sendable {
    case null
    case bool(Bool)
    /// The number's text, written as is (`1e300`, `9223372036854775808`, `-0`).
    case number(String)
    case string(String)
    /// A string of raw bytes between quotes, written without escaping (invalid UTF-8 on purpose).
    case rawString([UInt8])
    case array([FuzzJSON])
    /// Keys in order; duplicates allowed.
    case object([(String, FuzzJSON)])

    var bytes: [UInt8] {
        var out: [UInt8] = []
        write(to: &out)
        return out
    }

    func write(to out: inout [UInt8]) {
        switch self {
        case .null: out += Array("null".utf8)
        case .bool(let value): out += Array((value ? "true" : "false").utf8)
        case .number(let text): out += Array(text.utf8)
        case .string(let text): out += Array(jsonString(text).utf8)
        case .rawString(let bytes): out += [34] + bytes + [34]
        case .array(let items):
            out.append(91)
            for (index, item) in items.enumerated() {
                if index > 0 { out.append(44) }
                item.write(to: &out)
            }
            out.append(93)
        case .object(let fields):
            out.append(123)
            for (index, field) in fields.enumerated() {
                if index > 0 { out.append(44) }
                out += Array(jsonString(field.0).utf8) + [58]
                field.1.write(to: &out)
            }
            out.append(125)
        }
    }

    /// Paths to every node, the root included (each step an index into an array or an object's fields).
    var paths: [[Int]] {
        var result: [[Int]] = [[]]
        switch self {
        case .array(let items):
            for (index, item) in items.enumerated() { result += item.paths.map { [index] + $0 } }
        case .object(let fields):
            for (index, field) in fields.enumerated() { result += field.1.paths.map { [index] + $0 } }
        default: break
        }
        return result
    }

    /// This document with the node at `path` transformed.
    func updating(_ path: ArraySlice<Int>, _ transform: (FuzzJSON) -> FuzzJSON) -> FuzzJSON {
        guard let step = path.first else { return transform(self) }
        switch self {
        case .array(var items) where items.indices.contains(step):
            items[step] = items[step].updating(path.dropFirst(), transform)
            return .array(items)
        case .object(var fields) where fields.indices.contains(step):
            fields[step].1 = fields[step].1.updating(path.dropFirst(), transform)
            return .object(fields)
        default:
            return self
        }
    }
}

/// Seeded mutations of valid documents into hostile ones.
struct Mutator {
    var random: SeededRandom

    /// Values that are wrong for most fields. No small positive integers: those are valid deadlines
    /// (`timeout_ms: 1` is a legitimate 504, not a decoder bug).
    static let hostileValues: [FuzzJSON] = [
        .null, .bool(true), .bool(false), .number("0"), .number("-1"), .number("-0"), .number("0.5"),
        .number("1e300"), .number("-1e300"), .number("1e-400"), .number("1e309"), .number("9223372036854775807"),
        .number("9223372036854775808"), .number("-9223372036854775809"), .number("18446744073709551616"),
        .number("9007199254740993"), .number("123456789012345678901234567890"), .number("1E+2"),
        .string(""), .string("x"), .string("1e300"), .string(String(repeating: "a", count: 5000)),
        .string("\u{0}\u{1}\u{1F}"), .string("🚂💥\u{202E}"), .string("[ESCALATE]"),
        .rawString([0xC3, 0x28]), .rawString([0xFF, 0xFE]), .rawString([0xED, 0xA0, 0x80]),
        .array([]), .object([]), .array([.number("1"), .string("two"), .null]),
        .object([("a", .object([("b", .null)]))]),
    ]

    /// Keys Switchyard reads, so added keys hit real fields.
    static let knownKeys = [
        "model", "messages", "role", "content", "tools", "tool_choice", "temperature", "top_p", "max_tokens",
        "max_completion_tokens", "stop", "stream", "stream_options", "include_usage", "user", "n", "switchyard",
        "priority", "max_cost_usd", "timeout_ms", "prompt", "preferences", "user_id", "max_cost_per_request",
        "tool_calls", "tool_call_id", "name", "type", "text", "function", "arguments", "parameters",
        "choices", "message", "delta", "finish_reason", "usage", "prompt_tokens", "completion_tokens", "error",
    ]

    mutating func pick<T>(_ items: [T]) -> T { items[Int.random(in: 0..<items.count, using: &random)] }
    mutating func chance(_ share: Double) -> Bool { Double.random(in: 0..<1, using: &random) < share }

    /// One to three structural mutations.
    mutating func mutate(_ document: FuzzJSON) -> FuzzJSON {
        var document = document
        for _ in 0..<Int.random(in: 1...3, using: &random) {
            let path = pick(document.paths)[...]
            switch Int.random(in: 0..<6, using: &random) {
            case 0, 1:
                let value = pick(Self.hostileValues)
                document = document.updating(path) { _ in value }
            case 2:
                document = document.updating(path) { node in
                    guard case .object(var fields) = node, !fields.isEmpty else { return node }
                    fields.remove(at: Int.random(in: 0..<fields.count, using: &random))
                    return .object(fields)
                }
            case 3:
                let key = chance(0.8) ? pick(Self.knownKeys) : "k\(random.next() % 1000)"
                let value = pick(Self.hostileValues)
                document = document.updating(path) { node in
                    guard case .object(var fields) = node else { return node }
                    fields.append((key, value))  // a duplicate when the key exists
                    return .object(fields)
                }
            case 4:
                let depth = pick([64, 600, 5_000, 20_000])
                let asArrays = chance(0.5)
                document = document.updating(path) { _ in Self.nested(depth: depth, arrays: asArrays) }
            default:
                let repeated = Int.random(in: 2...50, using: &random)
                document = document.updating(path) { node in .array(Array(repeating: node, count: repeated)) }
            }
        }
        return document
    }

    /// Byte-level damage to a serialized document, sometimes: truncation, flipped bytes, invalid UTF-8.
    mutating func damage(_ bytes: [UInt8]) -> [UInt8] {
        var bytes = bytes
        switch Int.random(in: 0..<8, using: &random) {
        case 0 where !bytes.isEmpty:
            bytes = Array(bytes.prefix(Int.random(in: 0..<bytes.count, using: &random)))
        case 1 where !bytes.isEmpty:
            for _ in 0..<Int.random(in: 1...4, using: &random) {
                bytes[Int.random(in: 0..<bytes.count, using: &random)] = UInt8.random(in: 0...255, using: &random)
            }
        case 2 where !bytes.isEmpty:
            let invalid: [[UInt8]] = [[0x80], [0xC0, 0xAF], [0xF5, 0x80, 0x80, 0x80], [0xED, 0xB0, 0x80], [0xFE]]
            bytes.insert(contentsOf: pick(invalid), at: Int.random(in: 0..<bytes.count, using: &random))
        default:
            break
        }
        return bytes
    }

    static func nested(depth: Int, arrays: Bool) -> FuzzJSON {
        // Built as text: a FuzzJSON tree this deep would overflow this process's own stack when written.
        let open = arrays ? "[" : #"{"a":"#
        let close = arrays ? "]" : "}"
        return .number(String(repeating: open, count: depth) + "1" + String(repeating: close, count: depth))
    }
}
