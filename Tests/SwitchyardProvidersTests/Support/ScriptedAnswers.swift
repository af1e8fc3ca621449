import Foundation
import SwitchyardCore
import Synchronization

/// A tool call a strict fake upstream answers with; `id: nil` leaves the id out, as Gemini often does.
struct ScriptedCall: Sendable {
    var id: String?
    var name: String
    var arguments: [String: JSONValue]
}

/// One answer of a strict fake upstream, rendered in the fake's own wire shape (a whole answer or a stream).
struct ScriptedAnswer: Sendable {
    var text: String?
    var calls: [ScriptedCall] = []
}

/// The answers a strict fake upstream gives, in order, to the requests it accepts.
final class ScriptedAnswers: Sendable {
    private let queue: Mutex<[ScriptedAnswer]>

    init(_ answers: [ScriptedAnswer]) {
        queue = Mutex(answers)
    }

    /// The next answer, or `nil` once all were given.
    func next() -> ScriptedAnswer? {
        queue.withLock { $0.isEmpty ? nil : $0.removeFirst() }
    }
}

extension JSONValue {
    /// Compact JSON text with sorted keys, for canned wire bodies.
    var text: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? "null"
    }

    var objectValue: [String: JSONValue]? {
        if case .object(let object) = self { return object }
        return nil
    }

    var arrayValue: [JSONValue]? {
        if case .array(let items) = self { return items }
        return nil
    }

    var stringValue: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    var numberValue: Double? {
        if case .number(let number) = self { return number }
        return nil
    }

    /// The member `key` of an object.
    subscript(key: String) -> JSONValue? { objectValue?[key] }
}
