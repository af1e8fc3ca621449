import AsyncHTTPClient
import SwitchyardCore
import SwitchyardProviders

/// The key the tests configure; it must never show up in a message.
let testKey = "sk-test-key-0123456789"

/// A provider of `kind` pointed at `baseURL`.
func makeProvider(
    _ kind: ProviderKind,
    baseURL: String,
    client: HTTPClient,
    timeouts: ProviderTimeouts = ProviderTimeouts(),
    key: String? = testKey
) -> any LLMProvider {
    let apiKey = key.map(APIKey.init)
    switch kind {
    case .openAI:
        return OpenAICompatibleProvider(
            name: "openai-test", configuration: .init(baseURL: baseURL + "/v1", apiKey: apiKey, timeouts: timeouts),
            httpClient: client)
    case .anthropic:
        return AnthropicProvider(
            name: "anthropic-test", configuration: .init(baseURL: baseURL, apiKey: apiKey, timeouts: timeouts),
            httpClient: client)
    case .gemini:
        return GeminiProvider(
            name: "gemini-test", configuration: .init(baseURL: baseURL, apiKey: apiKey, timeouts: timeouts),
            httpClient: client)
    default:
        return SimulatedProvider(name: "simulated-test")
    }
}

/// Reads a whole stream, returning the chunks it yielded and the error it ended with.
func drain(
    _ stream: AsyncThrowingStream<ChatStreamChunk, any Error>
) async -> (chunks: [ChatStreamChunk], error: (any Error)?) {
    var chunks: [ChatStreamChunk] = []
    do {
        for try await chunk in stream { chunks.append(chunk) }
        return (chunks, nil)
    } catch {
        return (chunks, error)
    }
}

/// The content deltas of a stream joined.
func text(of chunks: [ChatStreamChunk]) -> String {
    chunks.compactMap(\.contentDelta).joined()
}

/// Runs `body` and returns the ``ProviderError`` it threw (`nil` if it threw something else or nothing).
func providerError(_ body: () async throws -> Void) async -> ProviderError? {
    do {
        try await body()
        return nil
    } catch let error as ProviderError {
        return error
    } catch {
        return nil
    }
}

/// Per-kind canned wire data, so one test can run against every adapter.
enum Wire {
    /// The path a chat call of `kind` posts to (for a non-streaming call).
    static func chatPath(_ kind: ProviderKind, stream: Bool = false) -> String {
        switch kind {
        case .openAI: "/v1/chat/completions"
        case .anthropic: "/v1/messages"
        case .gemini: stream ? "/v1beta/models/m:streamGenerateContent?alt=sse" : "/v1beta/models/m:generateContent"
        default: ""
        }
    }

    /// A successful non-streaming answer saying "hello".
    static func hello(_ kind: ProviderKind) -> String {
        switch kind {
        case .openAI:
            #"{"id":"c1","model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"hello"},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":1}}"#
        case .anthropic:
            #"{"id":"msg_1","type":"message","role":"assistant","model":"m","content":[{"type":"text","text":"hello"}],"stop_reason":"end_turn","usage":{"input_tokens":3,"output_tokens":1}}"#
        case .gemini:
            #"{"candidates":[{"content":{"role":"model","parts":[{"text":"hello"}]},"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":3,"candidatesTokenCount":1},"modelVersion":"m"}"#
        default: ""
        }
    }

    /// The first events of a stream, before any end marker or finish reason: "Hel", "lo".
    static func partialStream(_ kind: ProviderKind) -> [String] {
        switch kind {
        case .openAI:
            Reply.sse([
                #"{"choices":[{"index":0,"delta":{"role":"assistant","content":"Hel"}}]}"#,
                #"{"choices":[{"index":0,"delta":{"content":"lo"}}]}"#,
            ])
        case .anthropic:
            Reply.sse(
                [
                    #"{"type":"message_start","message":{"id":"msg_1","model":"m","usage":{"input_tokens":3,"output_tokens":1}}}"#,
                    #"{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}"#,
                    #"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hel"}}"#,
                    #"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"lo"}}"#,
                ],
                event: ["message_start", "content_block_start", "content_block_delta", "content_block_delta"])
        case .gemini:
            Reply.sse([
                #"{"candidates":[{"content":{"role":"model","parts":[{"text":"Hel"}]}}]}"#,
                #"{"candidates":[{"content":{"role":"model","parts":[{"text":"lo"}]}}]}"#,
            ])
        default: []
        }
    }

    /// The events that complete ``partialStream(_:)``, with usage 3 in / 2 out.
    static func streamEnd(_ kind: ProviderKind) -> [String] {
        switch kind {
        case .openAI:
            Reply.sse([
                #"{"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}"#,
                #"{"choices":[],"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5}}"#,
                "[DONE]",
            ])
        case .anthropic:
            Reply.sse(
                [
                    #"{"type":"content_block_stop","index":0}"#,
                    #"{"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":2}}"#,
                    #"{"type":"message_stop"}"#,
                ],
                event: ["content_block_stop", "message_delta", "message_stop"])
        case .gemini:
            Reply.sse([
                #"{"candidates":[{"content":{"role":"model","parts":[{"text":""}]},"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":3,"candidatesTokenCount":2}}"#
            ])
        default: []
        }
    }
}

/// The HTTP kinds, for parameterized tests.
let httpKinds: [ProviderKind] = [.openAI, .anthropic, .gemini]

/// A one-message request for model `m`.
let helloRequest = ChatRequest(model: "m", messages: [.user("hi")], maxTokens: 50)

/// Whether `id` has the shape of a tool-call id Switchyard made up: `call_sy_` and 24 letters and digits.
func isMadeUpID(_ id: String) -> Bool {
    let suffix = id.dropFirst("call_sy_".count)
    return id.hasPrefix("call_sy_") && suffix.count == 24
        && suffix.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) }
}
