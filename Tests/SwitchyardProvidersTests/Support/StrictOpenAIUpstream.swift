import Foundation
import Hummingbird
import SwitchyardCore

/// A fake OpenAI chat-completions API that refuses what the real one refuses, with its 400
/// `invalid_request_error`, and answers every other request with the next scripted answer (a completion, or a
/// stream of chunks when `stream` is true).
///
/// Refused, as the chat-completions reference says:
/// - `temperature` outside 0…2, `top_p` outside 0…1;
/// - a tool call id longer than 40 characters;
/// - a `tool` message that does not answer a call of the assistant message before it (tool messages may follow
///   each other);
/// - an assistant message with `tool_calls` not followed by a `tool` message for each of its ids.
enum StrictOpenAIUpstream {
    /// The handler of a fake upstream serving `answers`.
    static func handler(_ answers: ScriptedAnswers) -> FakeUpstream.Handler {
        { request in
            if let problem = violation(in: request.json) {
                return Reply.json(
                    JSONValue.object([
                        "error": .object([
                            "message": .string(problem), "type": .string("invalid_request_error"), "param": .null,
                            "code": .null,
                        ])
                    ]).text, status: .badRequest)
            }
            guard let answer = answers.next() else {
                return Reply.json(
                    #"{"error":{"message":"no scripted answer left","type":"server_error"}}"#,
                    status: .internalServerError)
            }
            return request.json?["stream"] == .bool(true) ? stream(answer) : completion(answer)
        }
    }

    /// Why the real API would refuse `body`, or `nil` when it would take it.
    static func violation(in body: JSONValue?) -> String? {
        guard let body, body.objectValue != nil else { return "We could not parse the JSON body of your request." }
        if let value = body["temperature"], !(value.numberValue.map { (0...2).contains($0) } ?? false) {
            return "Invalid 'temperature': decimal above maximum value. Expected a value <= 2."
        }
        if let value = body["top_p"], !(value.numberValue.map { (0...1).contains($0) } ?? false) {
            return "Invalid 'top_p': decimal above maximum value. Expected a value <= 1."
        }
        let messages = body["messages"]?.arrayValue ?? []
        // The ids of the latest assistant turn's calls not answered yet; nil outside a run of tool messages.
        var open: Set<String>?
        for (index, message) in messages.enumerated() {
            let role = message["role"]?.stringValue
            if role == "tool" {
                let id = message["tool_call_id"]?.stringValue ?? ""
                guard open?.remove(id) != nil else {
                    return "Invalid parameter: messages with role 'tool' must be a response to a preceeding message "
                        + "with 'tool_calls'."
                }
                continue
            }
            if let open, !open.isEmpty {
                return "An assistant message with 'tool_calls' must be followed by tool messages responding to each "
                    + "'tool_call_id'. The following tool_call_ids did not have response messages: "
                    + open.sorted().joined(separator: ", ")
            }
            open = nil
            let calls = message["tool_calls"]?.arrayValue ?? []
            guard role == "assistant", !calls.isEmpty else { continue }
            for (position, call) in calls.enumerated() {
                let id = call["id"]?.stringValue ?? ""
                if id.count > 40 {
                    return "Invalid 'messages[\(index)].tool_calls[\(position)].id': string too long. Expected a "
                        + "string with maximum length 40, but got a string with length \(id.count) instead."
                }
            }
            open = Set(calls.compactMap { $0["id"]?.stringValue })
        }
        if let open, !open.isEmpty {
            return "An assistant message with 'tool_calls' must be followed by tool messages responding to each "
                + "'tool_call_id'. The following tool_call_ids did not have response messages: "
                + open.sorted().joined(separator: ", ")
        }
        return nil
    }

    /// A whole completion.
    static func completion(_ answer: ScriptedAnswer) -> Response {
        var message: [String: JSONValue] = [
            "role": .string("assistant"), "content": answer.text.map(JSONValue.string) ?? .null,
        ]
        if !answer.calls.isEmpty {
            message["tool_calls"] = .array(
                answer.calls.map { call in
                    var entry: [String: JSONValue] = [
                        "type": .string("function"),
                        "function": .object([
                            "name": .string(call.name), "arguments": .string(JSONValue.object(call.arguments).text),
                        ]),
                    ]
                    entry["id"] = call.id.map(JSONValue.string)
                    return .object(entry)
                })
        }
        let body = JSONValue.object([
            "id": .string("chatcmpl-1"), "object": .string("chat.completion"), "model": .string("m"),
            "choices": .array([
                .object([
                    "index": .number(0), "message": .object(message),
                    "finish_reason": .string(answer.calls.isEmpty ? "stop" : "tool_calls"),
                ])
            ]),
            "usage": .object(["prompt_tokens": .number(10), "completion_tokens": .number(5)]),
        ])
        return Reply.json(body.text)
    }

    /// The same answer as a stream of chunks, then usage and `[DONE]`.
    static func stream(_ answer: ScriptedAnswer) -> Response {
        func chunk(_ delta: [String: JSONValue], finish: String? = nil) -> String {
            JSONValue.object([
                "choices": .array([
                    .object([
                        "index": .number(0), "delta": .object(delta),
                        "finish_reason": finish.map(JSONValue.string) ?? .null,
                    ])
                ])
            ]).text
        }
        var events: [String] = []
        if let text = answer.text { events.append(chunk(["role": .string("assistant"), "content": .string(text)])) }
        for (index, call) in answer.calls.enumerated() {
            var entry: [String: JSONValue] = [
                "index": .number(Double(index)), "type": .string("function"),
                "function": .object([
                    "name": .string(call.name), "arguments": .string(JSONValue.object(call.arguments).text),
                ]),
            ]
            entry["id"] = call.id.map(JSONValue.string)
            events.append(chunk(["tool_calls": .array([.object(entry)])]))
        }
        events.append(chunk([:], finish: answer.calls.isEmpty ? "stop" : "tool_calls"))
        events.append(#"{"choices":[],"usage":{"prompt_tokens":10,"completion_tokens":5}}"#)
        events.append("[DONE]")
        return Reply.events(Reply.sse(events))
    }
}
