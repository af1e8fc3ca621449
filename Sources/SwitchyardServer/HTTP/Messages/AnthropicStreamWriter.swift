import Foundation
import Hummingbird
import NIOCore
import SwitchyardCore
import SwitchyardStore

/// Writes one streamed answer as Anthropic's Messages events: `message_start`, then for each text or tool call a
/// `content_block_start`, its `content_block_delta`s (`text_delta`, `input_json_delta`) and `content_block_stop`,
/// then `message_delta` (stop reason, usage and the `switchyard` summary) and `message_stop`. Heartbeats are `ping`
/// events; a stream that breaks after it started ends with an `error` event and no `message_stop`.
struct AnthropicStreamWriter: AnswerStreamWriter {
    let requestID: String

    func write(
        first: RoutedChunk?,
        rest: StreamHandoff<ChatController.StreamItem>,
        to body: inout any ResponseBodyWriter
    ) async throws {
        let model = first.map { "\($0.provider)/\($0.model)" } ?? ""
        let start: JSONValue = .object([
            "type": "message_start",
            "message": .object([
                "id": .string(AnthropicMessagesResponse.messageID(requestID)), "type": "message", "role": "assistant", "content": .array([]),
                "model": .string(model), "stop_reason": .null, "stop_sequence": .null,
                "usage": .object(["input_tokens": .number(0), "output_tokens": .number(0)]),
            ]),
        ])
        try await body.write(Self.event("message_start", start))
        var blocks = Blocks(requestID: requestID)
        var next = first
        do {
            while true {
                if let routed = next {
                    next = nil
                    for (name, event) in blocks.events(for: routed.chunk) { try await body.write(Self.event(name, event)) }
                }
                guard let item = try await rest.next() else { break }
                switch item {
                case .chunk(let chunk):
                    next = chunk
                case .summary(let summary):
                    for (name, event) in blocks.close() { try await body.write(Self.event(name, event)) }
                    try await body.write(Self.event("message_delta", MessageDelta(summary)))
                    try await body.write(Self.event("message_stop", JSONValue.object(["type": "message_stop"])))
                case .heartbeat:
                    try await body.write(Self.event("ping", JSONValue.object(["type": "ping"])))
                }
            }
        } catch let error as RoutingError {
            // The stream broke after it started: say so, and never end with message_stop.
            try await body.write(Self.event("error", AnthropicErrorBody(APIError(error).with(requestID: requestID))))
        }
    }

    static func event(_ name: String, _ value: some Encodable) throws -> ByteBuffer {
        var buffer = ByteBuffer(string: "event: \(name)\ndata: ")
        buffer.writeBytes(try SwitchyardJSON.encoder.encode(value))
        buffer.writeString("\n\n")
        return buffer
    }

    /// `message_delta`: why the answer ended, its usage, and Switchyard's summary.
    struct MessageDelta: Encodable {
        struct Delta: Encodable {
            var stopReason: String
            enum CodingKeys: String, CodingKey {
                case stopReason = "stop_reason"
                case stopSequence = "stop_sequence"
            }
            func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: CodingKeys.self)
                try container.encode(stopReason, forKey: .stopReason)
                try container.encodeNil(forKey: .stopSequence)
            }
        }
        var type = "message_delta"
        var delta: Delta
        var usage: AnthropicUsage
        var switchyard: Summary

        init(_ summary: RoutedResponse) {
            delta = Delta(stopReason: AnthropicMessagesResponse.stopReason(summary.response.finishReason))
            usage = AnthropicUsage(summary.response.usage)
            switchyard = Summary(summary)
        }
    }

    /// Which content block is open: the router's chunks carry text and tool-call deltas, Anthropic's events one block
    /// at a time, each started and stopped.
    struct Blocks {
        enum Open: Equatable {
            case text
            case tool(Int)
        }

        let requestID: String
        private(set) var index = -1
        private var open: Open?

        init(requestID: String) { self.requestID = requestID }

        mutating func events(for chunk: ChatStreamChunk) -> [(String, JSONValue)] {
            var events: [(String, JSONValue)] = []
            if let text = chunk.contentDelta, !text.isEmpty {
                if open != .text {
                    events += start(.text, block: ["type": "text", "text": ""])
                }
                events.append(delta(["type": "text_delta", "text": .string(text)]))
            }
            for call in chunk.toolCallDeltas {
                if open != .tool(call.index) {
                    events += start(
                        .tool(call.index),
                        block: [
                            "type": "tool_use", "id": .string(call.id ?? "toolu_\(requestID)_\(index + 1)"),
                            "name": .string(call.name ?? ""), "input": .object([:]),
                        ])
                }
                if let arguments = call.argumentsDelta, !arguments.isEmpty {
                    events.append(delta(["type": "input_json_delta", "partial_json": .string(arguments)]))
                }
            }
            return events
        }

        /// Stops the open block, if any.
        mutating func close() -> [(String, JSONValue)] {
            guard open != nil else { return [] }
            open = nil
            return [("content_block_stop", .object(["type": "content_block_stop", "index": .number(Double(index))]))]
        }

        private mutating func start(_ kind: Open, block: [String: JSONValue]) -> [(String, JSONValue)] {
            let stop = close()
            index += 1
            open = kind
            return stop + [
                (
                    "content_block_start",
                    .object([
                        "type": "content_block_start", "index": .number(Double(index)), "content_block": .object(block),
                    ])
                )
            ]
        }

        private func delta(_ delta: [String: JSONValue]) -> (String, JSONValue) {
            (
                "content_block_delta",
                .object(["type": "content_block_delta", "index": .number(Double(index)), "delta": .object(delta)])
            )
        }
    }
}
