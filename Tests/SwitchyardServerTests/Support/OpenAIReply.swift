import SwitchyardTesting
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// What a fake OpenAI-compatible upstream answers.
enum OpenAIReply {
    /// A JSON body with a status and extra headers.
    static func json(_ text: String, status: HTTPResponse.Status = .ok, headers: [String: String] = [:]) -> Response {
        var fields = HTTPFields()
        fields[.contentType] = "application/json"
        for (name, value) in headers { fields[HTTPField.Name(name)!] = value }
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// A complete `chat.completion` saying `content`, with 10 prompt and 5 completion tokens.
    static func answer(_ content: String = "hello from upstream", model: String = "gpt-test") -> Response {
        json(
            #"{"id":"up-1","object":"chat.completion","created":1,"model":"\#(model)","choices":[{"index":0,"message":{"role":"assistant","content":"\#(content)"},"finish_reason":"stop"}],"usage":{"prompt_tokens":10,"completion_tokens":5,"total_tokens":15}}"#
        )
    }

    /// A `chat.completion` calling `get_weather` for Paris.
    static func toolCall() -> Response {
        json(
            #"{"id":"up-2","object":"chat.completion","created":1,"model":"gpt-test","choices":[{"index":0,"message":{"role":"assistant","content":null,"tool_calls":[{"id":"call_9","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}}]},"finish_reason":"tool_calls"}],"usage":{"prompt_tokens":20,"completion_tokens":9,"total_tokens":29}}"#
        )
    }

    /// An OpenAI error body with `status`.
    static func error(_ status: HTTPResponse.Status, message: String = "upstream trouble") -> Response {
        json(#"{"error":{"message":"\#(message)","type":"server_error"}}"#, status: status)
    }

    /// SSE events "Hel", "lo" (the first carrying the role).
    static let streamStart = sse([
        #"{"id":"up-s","object":"chat.completion.chunk","model":"gpt-test","choices":[{"index":0,"delta":{"role":"assistant","content":"Hel"},"finish_reason":null}]}"#,
        #"{"id":"up-s","object":"chat.completion.chunk","model":"gpt-test","choices":[{"index":0,"delta":{"content":"lo"},"finish_reason":null}]}"#,
    ])

    /// The events that finish ``streamStart``: finish reason, usage (3 in, 2 out), `[DONE]`.
    static let streamEnd = sse([
        #"{"id":"up-s","object":"chat.completion.chunk","model":"gpt-test","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}"#,
        #"{"id":"up-s","object":"chat.completion.chunk","model":"gpt-test","choices":[],"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5}}"#,
        "[DONE]",
    ])

    /// An event stream written piece by piece, then ended as `ending` says.
    static func events(_ pieces: [String], then ending: StreamEnding = .end) -> Response {
        var fields = HTTPFields()
        fields[.contentType] = "text/event-stream"
        return Response(
            status: .ok, headers: fields,
            body: ResponseBody { writer in
                for piece in pieces { try await writer.write(ByteBuffer(string: piece)) }
                switch ending {
                case .end:
                    try await writer.finish(nil)
                case .breakConnection(let gate):
                    try await gate.wait()
                    throw ConnectionBroken()
                case .stallThen(let gate, let more):
                    try await gate.wait()
                    for piece in more { try await writer.write(ByteBuffer(string: piece)) }
                    try await writer.finish(nil)
                }
            })
    }

    enum StreamEnding: Sendable {
        case end
        /// Waits for the gate (so the test knows the pieces arrived), then breaks the connection.
        case breakConnection(Gate)
        /// Waits for the gate, then writes more pieces and ends.
        case stallThen(Gate, [String])
    }

    struct ConnectionBroken: Error {}

    /// SSE framing of `data:` events.
    static func sse(_ data: [String]) -> [String] {
        data.map { "data: \($0)\n\n" }
    }
}
