import Foundation
import Hummingbird
import SwitchyardCore
import Synchronization

/// A fake Gemini API that refuses what the real one refuses, with its 400 `INVALID_ARGUMENT`, and answers every
/// other request with the next scripted answer (a whole `GenerateContentResponse`, or an SSE stream of them for
/// `streamGenerateContent`).
///
/// Refused, as the `generateContent` reference and the function-calling guide say:
/// - `generationConfig.temperature` outside 0…2, `generationConfig.topP` outside 0…1;
/// - a `functionResponse` turn that does not follow a `model` turn of `functionCall`s, or that has another number of
///   `functionResponse` parts than that turn has `functionCall` parts;
/// - a `functionResponse` whose `name` matches no `functionCall` of that turn, or whose `id` matches none;
/// - a `functionCall` that carries an `id` without a `functionResponse` of that id and name;
/// - a call this fake gave with an id (one of its answers) that comes back without that id.
enum StrictGeminiUpstream {
    /// The handler of a fake upstream serving `answers`.
    static func handler(_ answers: ScriptedAnswers) -> FakeUpstream.Handler {
        let issued = Mutex<[ScriptedCall]>([])
        return { request in
            if let problem = violation(in: request.json, issued: issued.withLock { $0 }) {
                return Reply.json(
                    JSONValue.object([
                        "error": .object([
                            "code": .number(400), "message": .string(problem), "status": .string("INVALID_ARGUMENT"),
                        ])
                    ]).text, status: .badRequest)
            }
            guard let answer = answers.next() else {
                return Reply.json(
                    #"{"error":{"code":500,"message":"no scripted answer left","status":"INTERNAL"}}"#,
                    status: .internalServerError)
            }
            issued.withLock { $0 += answer.calls.filter { $0.id != nil } }
            return request.uri.contains(":streamGenerateContent") ? stream(answer) : response(answer)
        }
    }

    /// Why the real API would refuse `body`, or `nil` when it would take it; `issued` are the calls with ids this
    /// fake gave so far.
    static func violation(in body: JSONValue?, issued: [ScriptedCall] = []) -> String? {
        guard let body, body.objectValue != nil else { return "Invalid JSON payload received." }
        let config = body["generationConfig"]
        if let value = config?["temperature"], !(value.numberValue.map { (0...2).contains($0) } ?? false) {
            return "* GenerateContentRequest.generation_config.temperature: must be between 0 and 2"
        }
        if let value = config?["topP"], !(value.numberValue.map { (0...1).contains($0) } ?? false) {
            return "* GenerateContentRequest.generation_config.top_p: must be between 0 and 1"
        }
        let contents = body["contents"]?.arrayValue ?? []
        for (index, content) in contents.enumerated() {
            for call in (content["parts"]?.arrayValue ?? []).compactMap({ $0["functionCall"] }) {
                let given = issued.first {
                    call["name"]?.stringValue == $0.name && call["args"] == .object($0.arguments)
                }
                if let given, call["id"]?.stringValue != given.id {
                    return "* GenerateContentRequest.contents[\(index)]: function call \(given.name) lost its id "
                        + "\(given.id ?? "")."
                }
            }
            let responses = (content["parts"]?.arrayValue ?? []).compactMap { $0["functionResponse"] }
            guard !responses.isEmpty else { continue }
            let previous = index > 0 ? contents[index - 1] : nil
            let calls = (previous?["parts"]?.arrayValue ?? []).compactMap { $0["functionCall"] }
            guard previous?["role"] == .string("model"), !calls.isEmpty else {
                return "* GenerateContentRequest.contents[\(index)]: a function response turn must come right after "
                    + "a function call turn."
            }
            guard responses.count == calls.count else {
                return "Please ensure that the number of function response parts is equal to the number of function "
                    + "call parts of the function call turn."
            }
            for response in responses {
                let name = response["name"]?.stringValue ?? ""
                guard calls.contains(where: { $0["name"]?.stringValue == name }) else {
                    return "* GenerateContentRequest.contents[\(index)]: function response \(name) matches no "
                        + "function call."
                }
                if let id = response["id"]?.stringValue,
                    !calls.contains(where: { $0["id"]?.stringValue == id && $0["name"]?.stringValue == name })
                {
                    return "* GenerateContentRequest.contents[\(index)]: function response id \(id) matches no "
                        + "function call."
                }
            }
            for call in calls {
                guard let id = call["id"]?.stringValue else { continue }
                let name = call["name"]?.stringValue
                guard responses.contains(where: { $0["id"]?.stringValue == id && $0["name"]?.stringValue == name })
                else {
                    return "* GenerateContentRequest.contents[\(index)]: no function response for function call "
                        + "id \(id)."
                }
            }
        }
        return nil
    }

    private static func parts(_ answer: ScriptedAnswer) -> [JSONValue] {
        var parts: [JSONValue] = []
        if let text = answer.text { parts.append(.object(["text": .string(text)])) }
        for call in answer.calls {
            var functionCall: [String: JSONValue] = ["name": .string(call.name), "args": .object(call.arguments)]
            functionCall["id"] = call.id.map(JSONValue.string)
            parts.append(.object(["functionCall": .object(functionCall)]))
        }
        return parts
    }

    private static func event(parts: [JSONValue], last: Bool) -> JSONValue {
        var candidate: [String: JSONValue] = ["content": .object(["role": .string("model"), "parts": .array(parts)])]
        var event: [String: JSONValue] = ["modelVersion": .string("m")]
        if last {
            candidate["finishReason"] = .string("STOP")
            event["usageMetadata"] = .object(["promptTokenCount": .number(10), "candidatesTokenCount": .number(5)])
        }
        event["candidates"] = .array([.object(candidate)])
        return .object(event)
    }

    /// A whole `GenerateContentResponse`.
    static func response(_ answer: ScriptedAnswer) -> Response {
        Reply.json(event(parts: parts(answer), last: true).text)
    }

    /// The same answer as a stream, one part an event; the last carries the finish reason and usage.
    static func stream(_ answer: ScriptedAnswer) -> Response {
        let parts = parts(answer)
        let events = parts.enumerated().map { index, part in
            event(parts: [part], last: index == parts.count - 1).text
        }
        return Reply.events(Reply.sse(events))
    }
}
