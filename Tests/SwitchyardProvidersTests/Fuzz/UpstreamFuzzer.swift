import Foundation
import SwitchyardCore

@testable import SwitchyardProviders

/// Deterministic (seeded) mutations of valid upstream input, for the fuzz pass over the decoders: byte-level damage
/// (truncation, flipped, inserted, deleted and repeated bytes), absurd numbers put where numbers were, JSON nodes
/// replaced by values of the wrong type, random splits of a body into pieces, and random wait values.
struct UpstreamFuzzer {
    private var random: SeededRandom

    init(seed: UInt64) {
        random = SeededRandom(seed: seed)
    }

    /// JSON texts that upstream code must survive wherever a value stands.
    static let absurdValues = [
        "1e30", "-1e30", "1e308", "1e400", "9223372036854775808", "9223372036854775807", "-9223372036854775809",
        "99999999999999999999", "-1", "-0", "1.5", "0.000001", #""12""#, #""""#, "null", "true", "[]", "{}", "[1,2]",
        #""\u0000""#, #"{"a":{"b":[]}}"#, "18446744073709551616",
    ]

    /// Bytes that break JSON and SSE framing.
    static let interestingBytes: [UInt8] = Array(#"{}[]",:\-.e0123456789"#.utf8) + [0x00, 0x0A, 0x0D, 0x20, 0xFF, 0xC3]

    mutating func int(_ range: Range<Int>) -> Int { Int.random(in: range, using: &random) }
    mutating func chance(_ probability: Double) -> Bool { random.nextUnit() < probability }
    mutating func pick<T>(_ items: [T]) -> T { items[int(0..<items.count)] }

    /// `text` with one to three random mutations.
    mutating func mutate(_ text: String) -> [UInt8] {
        var bytes = Array(text.utf8)
        for _ in 0..<int(1..<4) { mutate(&bytes) }
        return bytes
    }

    private mutating func mutate(_ bytes: inout [UInt8]) {
        guard !bytes.isEmpty else { return }
        let position = int(0..<bytes.count)
        switch int(0..<7) {
        case 0:
            bytes.removeSubrange(position...)
        case 1:
            bytes[position] = UInt8.random(in: 0...255, using: &random)
        case 2:
            bytes.insert(pick(Self.interestingBytes), at: position)
        case 3:
            bytes.removeSubrange(position..<min(bytes.count, position + int(1..<16)))
        case 4:
            let end = min(bytes.count, position + int(1..<64))
            bytes.insert(contentsOf: bytes[position..<end], at: end)
        case 5:
            replaceNumber(in: &bytes)
        default:
            replaceStringValue(in: &bytes)
        }
    }

    /// Replaces one run of digits (with its sign and fraction) by an absurd value.
    private mutating func replaceNumber(in bytes: inout [UInt8]) {
        let isNumberByte: (UInt8) -> Bool = { (0x30...0x39).contains($0) || $0 == 0x2D || $0 == 0x2E }
        var runs: [Range<Int>] = []
        var index = 0
        while index < bytes.count {
            guard isNumberByte(bytes[index]) else {
                index += 1
                continue
            }
            let start = index
            while index < bytes.count, isNumberByte(bytes[index]) { index += 1 }
            runs.append(start..<index)
        }
        guard !runs.isEmpty else { return }
        bytes.replaceSubrange(pick(runs), with: Array(pick(Self.absurdValues).utf8))
    }

    /// Replaces one `"…"` value after a colon by an absurd value.
    private mutating func replaceStringValue(in bytes: inout [UInt8]) {
        var starts: [Int] = []
        for index in bytes.indices.dropLast() where bytes[index] == 0x3A && bytes[index + 1] == 0x22 {
            starts.append(index + 1)
        }
        guard !starts.isEmpty else { return }
        let start = pick(starts)
        var end = start + 1
        while end < bytes.count, bytes[end] != 0x22 || bytes[end - 1] == 0x5C { end += 1 }
        bytes.replaceSubrange(start..<min(bytes.count, end + 1), with: Array(pick(Self.absurdValues).utf8))
    }

    /// `json` with one node replaced by a value of a random type: structure kept, types wrong.
    mutating func mutateStructure(_ json: String) -> String {
        guard let value = JSONValue(jsonText: json) else { return json }
        var nodes = 0
        Self.count(value, into: &nodes)
        var target = int(0..<max(nodes, 1))
        return replace(value, target: &target).jsonText
    }

    private static func count(_ value: JSONValue, into nodes: inout Int) {
        nodes += 1
        switch value {
        case .array(let items): for item in items { count(item, into: &nodes) }
        case .object(let fields): for item in fields.values { count(item, into: &nodes) }
        default: break
        }
    }

    private mutating func replace(_ value: JSONValue, target: inout Int) -> JSONValue {
        if target == 0 {
            target = -1
            return randomValue()
        }
        target -= 1
        switch value {
        case .array(let items):
            return .array(items.map { replace($0, target: &target) })
        case .object(let fields):
            var result: [String: JSONValue] = [:]
            for key in fields.keys.sorted() { result[key] = replace(fields[key]!, target: &target) }
            return .object(result)
        default:
            return value
        }
    }

    private mutating func randomValue() -> JSONValue {
        switch int(0..<8) {
        case 0: .number(pick([1e30, -1e30, 9.3e18, -1, 1.5, 0, 1e300, -0.5]))
        case 1: .string(pick(["", "12", "x", "tool_use", "message_stop", "[DONE]", "STOP"]))
        case 2: .null
        case 3: .bool(chance(0.5))
        case 4: .array([])
        case 5: .array([.number(1), .string("a")])
        case 6: .object([:])
        default: .object(["type": .string(pick(["text", "tool_use", "error", "text_delta"]))])
        }
    }

    /// `bytes` in one to twelve pieces split at random places.
    mutating func split(_ bytes: [UInt8]) -> [[UInt8]] {
        guard bytes.count > 1 else { return [bytes] }
        let cuts = (0..<int(0..<12)).map { _ in int(1..<bytes.count) }
        var pieces: [[UInt8]] = []
        var start = 0
        for cut in Set(cuts).sorted() {
            pieces.append(Array(bytes[start..<cut]))
            start = cut
        }
        pieces.append(Array(bytes[start...]))
        return pieces
    }

    /// A random value for `Retry-After`, `retry-after-ms` or the number of a `retryDelay`: plausible, absurd or
    /// garbage.
    mutating func waitValue() -> String {
        switch int(0..<6) {
        case 0:
            return String(int(0..<100_000))
        case 1:
            let digits = (0..<int(1..<400)).map { _ in String(int(0..<10)) }.joined()
            return (chance(0.2) ? "-" : "") + digits + (chance(0.3) ? "." + String(int(0..<1000)) : "")
        case 2:
            return pick(["1e300", "-1e300", "inf", "-inf", "nan", "NaN", "1e-300", "0x1p60", "+5", " 7 ", "", "１２"])
                + (chance(0.2) ? "e" + String(int(-400..<400)) : "")
        case 3:
            let year = pick(["1994", "9999", "0", "-1", "10000", "9223372036854775807", "99999999999999999999", "15"])
            let day = pick(["06", "31", "0", "-5", "99999999999999999999"])
            let time = pick(["08:49:37", "23:59:60", "24:00:00", "9223372036854775807:00:00", "1:2", "::"])
            return pick([
                "Sun, \(day) Nov \(year) \(time) GMT", "Sunday, \(day)-Nov-\(year) \(time) GMT",
                "Sun Nov \(day) \(time) \(year)",
            ])
        case 4:
            return String(decoding: mutate("Wed, 21 Oct 2015 07:28:00 GMT"), as: UTF8.self)
        default:
            return String(decoding: mutate(String(int(0..<1_000_000))), as: UTF8.self)
        }
    }
}
