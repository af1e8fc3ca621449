import Foundation
import Hummingbird
import SwitchyardCore

/// A fake Anthropic Messages API that refuses what the real one refuses, with its 400 `invalid_request_error`, and
/// answers every other request with the next scripted answer (a whole message, or a stream when `stream` is true).
///
/// Refused, as the Messages API and tool-use documentation say:
/// - `temperature` or `top_p` outside 0…1, `max_tokens` below 1;
/// - a `tool_use` id that does not match `^[a-zA-Z0-9_-]+$`, or that an earlier `tool_use` of the conversation
///   already has ("`tool_use` ids must be unique");
/// - a `tool_result` whose `tool_use_id` matches no `tool_use` of the message right before it;
/// - a `tool_use` without a `tool_result` in the next message, or a `tool_result` after text in its message.
enum StrictAnthropicUpstream {
    /// The handler of a fake upstream serving `answers`.
    static func handler(_ answers: ScriptedAnswers) -> FakeUpstream.Handler {
        { request in
            if let problem = violation(in: request.json) {
                return Reply.json(
                    JSONValue.object([
                        "type": .string("error"),
                        "error": .object([
                            "type": .string("invalid_request_error"), "message": .string(problem),
                        ]),
                    ]).text, status: .badRequest)
            }
            guard let answer = answers.next() else {
                return Reply.json(
                    #"{"type":"error","error":{"type":"api_error","message":"no scripted answer left"}}"#,
                    status: .internalServerError)
            }
            return request.json?["stream"] == .bool(true) ? stream(answer) : message(answer)
        }
    }

    /// Why the real API would refuse `body`, or `nil` when it would take it.
    static func violation(in body: JSONValue?) -> String? {
        guard let body, body.objectValue != nil else { return "the body is not a JSON object" }
        for field in ["temperature", "top_p"] {
            if let value = body[field], !(value.numberValue.map { (0...1).contains($0) } ?? false) {
                return "\(field): Input should be less than or equal to 1"
            }
        }
        guard let maxTokens = body["max_tokens"]?.numberValue, maxTokens >= 1 else {
            return "max_tokens: Field required"
        }
        let messages = body["messages"]?.arrayValue ?? []
        var toolUseIDs: Set<String> = []
        for (index, message) in messages.enumerated() {
            let blocks = message["content"]?.arrayValue ?? []
            for block in blocks where block["type"] == .string("tool_use") {
                let id = block["id"]?.stringValue ?? ""
                guard !id.isEmpty, id.allSatisfy(Self.isIDCharacter) else {
                    return "messages.\(index).content: tool_use.id: String should match pattern '^[a-zA-Z0-9_-]+$'"
                }
                guard toolUseIDs.insert(id).inserted else {
                    return "messages.\(index).content: `tool_use` ids must be unique"
                }
            }
            // Every tool_use must be answered in the next message, when there is one.
            let uses = Set(blocks.filter { $0["type"] == .string("tool_use") }.compactMap { $0["id"]?.stringValue })
            if !uses.isEmpty, index + 1 < messages.count {
                let next = messages[index + 1]["content"]?.arrayValue ?? []
                let answered = Set(
                    next.filter { $0["type"] == .string("tool_result") }.compactMap { $0["tool_use_id"]?.stringValue })
                let missing = uses.subtracting(answered)
                if !missing.isEmpty {
                    return "messages.\(index): `tool_use` ids were found without `tool_result` blocks immediately "
                        + "after: \(missing.sorted().joined(separator: ", ")). Each `tool_use` block must have a "
                        + "corresponding `tool_result` block in the next message."
                }
            }
            // Every tool_result must answer a tool_use of the message right before it, and come before any text.
            let previous =
                index > 0
                ? Set(
                    (messages[index - 1]["content"]?.arrayValue ?? []).filter { $0["type"] == .string("tool_use") }
                        .compactMap { $0["id"]?.stringValue }) : []
            var sawOtherBlock = false
            for block in blocks {
                guard block["type"] == .string("tool_result") else {
                    sawOtherBlock = true
                    continue
                }
                let id = block["tool_use_id"]?.stringValue ?? ""
                if sawOtherBlock {
                    return "messages.\(index): `tool_result` blocks must come first in the content"
                }
                if !previous.contains(id) {
                    return "messages.\(index).content: unexpected `tool_use_id` found in `tool_result` blocks: \(id). "
                        + "Each `tool_result` block must have a corresponding `tool_use` block in the previous message."
                }
            }
        }
        return nil
    }

    private static func isIDCharacter(_ character: Character) -> Bool {
        character.isASCII && (character.isLetter || character.isNumber || character == "_" || character == "-")
    }

    /// A whole message.
    static func message(_ answer: ScriptedAnswer) -> Response {
        var content: [JSONValue] = []
        if let text = answer.text { content.append(.object(["type": .string("text"), "text": .string(text)])) }
        for call in answer.calls {
            var block: [String: JSONValue] = [
                "type": .string("tool_use"), "name": .string(call.name), "input": .object(call.arguments),
            ]
            block["id"] = call.id.map(JSONValue.string)
            content.append(.object(block))
        }
        let body = JSONValue.object([
            "id": .string("msg_1"), "type": .string("message"), "role": .string("assistant"), "model": .string("m"),
            "content": .array(content), "stop_reason": .string(answer.calls.isEmpty ? "end_turn" : "tool_use"),
            "usage": .object(["input_tokens": .number(10), "output_tokens": .number(5)]),
        ])
        return Reply.json(body.text)
    }

    /// The same message as a stream.
    static func stream(_ answer: ScriptedAnswer) -> Response {
        var events: [(String, JSONValue)] = [
            (
                "message_start",
                .object([
                    "type": .string("message_start"),
                    "message": .object([
                        "id": .string("msg_1"), "model": .string("m"),
                        "usage": .object(["input_tokens": .number(10), "output_tokens": .number(1)]),
                    ]),
                ])
            )
        ]
        var index = 0
        if let text = answer.text {
            events.append(
                (
                    "content_block_start",
                    .object([
                        "type": .string("content_block_start"), "index": .number(Double(index)),
                        "content_block": .object(["type": .string("text"), "text": .string("")]),
                    ])
                ))
            events.append(
                (
                    "content_block_delta",
                    .object([
                        "type": .string("content_block_delta"), "index": .number(Double(index)),
                        "delta": .object(["type": .string("text_delta"), "text": .string(text)]),
                    ])
                ))
            events.append(
                ("content_block_stop", .object(["type": .string("content_block_stop"), "index": .number(0)])))
            index += 1
        }
        for call in answer.calls {
            var block: [String: JSONValue] = [
                "type": .string("tool_use"), "name": .string(call.name), "input": .object([:]),
            ]
            block["id"] = call.id.map(JSONValue.string)
            events.append(
                (
                    "content_block_start",
                    .object([
                        "type": .string("content_block_start"), "index": .number(Double(index)),
                        "content_block": .object(block),
                    ])
                ))
            events.append(
                (
                    "content_block_delta",
                    .object([
                        "type": .string("content_block_delta"), "index": .number(Double(index)),
                        "delta": .object([
                            "type": .string("input_json_delta"),
                            "partial_json": .string(JSONValue.object(call.arguments).text),
                        ]),
                    ])
                ))
            events.append(
                (
                    "content_block_stop",
                    .object(["type": .string("content_block_stop"), "index": .number(Double(index))])
                ))
            index += 1
        }
        events.append(
            (
                "message_delta",
                .object([
                    "type": .string("message_delta"),
                    "delta": .object(["stop_reason": .string(answer.calls.isEmpty ? "end_turn" : "tool_use")]),
                    "usage": .object(["output_tokens": .number(5)]),
                ])
            ))
        events.append(("message_stop", .object(["type": .string("message_stop")])))
        return Reply.events(Reply.sse(events.map(\.1.text), event: events.map(\.0)))
    }
}
