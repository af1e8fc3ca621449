import HTTPTypes
import Hummingbird
import SwitchyardCore
import SwitchyardProviders
import Testing

/// Absurd numbers from upstream, over real sockets: they are clamped or ignored, and the process never traps.
@Suite("Upstream numbers are checked", .timeLimit(.minutes(1)))
struct UpstreamNumbersTests {
    /// Token counts as raw JSON text and the usage they must give.
    struct UsageCase: Sendable, CustomTestStringConvertible {
        var prompt: String
        var completion: String
        /// `nil`: the usage must be estimated (garbage was reported).
        var expected: TokenUsage?
        var testDescription: String { "prompt \(prompt), completion \(completion)" }
    }

    static let maximum = 1_000_000_000_000

    static let usageCases: [UsageCase] = [
        UsageCase(prompt: "1e30", completion: "2", expected: TokenUsage(promptTokens: maximum, completionTokens: 2)),
        UsageCase(
            prompt: "9223372036854775808", completion: "9223372036854775807",
            expected: TokenUsage(promptTokens: maximum, completionTokens: maximum)),
        UsageCase(
            prompt: "99999999999999999999", completion: "1000000000001",
            expected: TokenUsage(promptTokens: maximum, completionTokens: maximum)),
        UsageCase(prompt: "3.0", completion: "2", expected: TokenUsage(promptTokens: 3, completionTokens: 2)),
        UsageCase(prompt: "-5", completion: "2", expected: nil),
        UsageCase(prompt: "3", completion: "1.5", expected: nil),
        UsageCase(prompt: #""12""#, completion: "2", expected: nil),
        UsageCase(prompt: "3", completion: "true", expected: nil),
        UsageCase(prompt: "3", completion: "-1e300", expected: nil),
    ]

    static var cases: [(ProviderKind, UsageCase)] {
        httpKinds.flatMap { kind in usageCases.map { (kind, $0) } }
    }

    /// A non-streaming answer "hello" with the given counts.
    static func answer(_ kind: ProviderKind, _ usage: UsageCase) -> String {
        switch kind {
        case .openAI:
            #"{"choices":[{"index":0,"message":{"role":"assistant","content":"hello"},"finish_reason":"stop"}],"usage":{"prompt_tokens":\#(usage.prompt),"completion_tokens":\#(usage.completion)}}"#
        case .anthropic:
            #"{"type":"message","content":[{"type":"text","text":"hello"}],"stop_reason":"end_turn","usage":{"input_tokens":\#(usage.prompt),"output_tokens":\#(usage.completion)}}"#
        default:
            #"{"candidates":[{"content":{"role":"model","parts":[{"text":"hello"}]},"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":\#(usage.prompt),"candidatesTokenCount":\#(usage.completion)}}"#
        }
    }

    /// The end of a stream ("Hello" so far) with the given counts.
    static func streamEnd(_ kind: ProviderKind, _ usage: UsageCase) -> [String] {
        switch kind {
        case .openAI:
            Reply.sse([
                #"{"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}"#,
                #"{"choices":[],"usage":{"prompt_tokens":\#(usage.prompt),"completion_tokens":\#(usage.completion)}}"#,
                "[DONE]",
            ])
        case .anthropic:
            Reply.sse(
                [
                    #"{"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"input_tokens":\#(usage.prompt),"output_tokens":\#(usage.completion)}}"#,
                    #"{"type":"message_stop"}"#,
                ],
                event: ["message_delta", "message_stop"])
        default:
            Reply.sse([
                #"{"candidates":[{"content":{"role":"model","parts":[{"text":""}]},"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":\#(usage.prompt),"candidatesTokenCount":\#(usage.completion)}}"#
            ])
        }
    }

    private static func check(_ usage: TokenUsage?, against example: UsageCase) {
        guard let usage else {
            Issue.record("no usage")
            return
        }
        if let expected = example.expected {
            #expect(usage == expected)
        } else {
            #expect(usage.isEstimated, "garbage counts are estimated, not trusted")
            #expect((0...maximum).contains(usage.promptTokens) && usage.promptTokens > 0)
            #expect((0...maximum).contains(usage.completionTokens))
        }
    }

    @Test(arguments: cases)
    func tokenCountsOfAnAnswerAreClampedOrEstimated(kind: ProviderKind, example: UsageCase) async throws {
        try await withTestClient { client in
            try await withFakeUpstream({ _ in Reply.json(Self.answer(kind, example)) }) { upstream in
                let provider = makeProvider(kind, baseURL: upstream.baseURL, client: client)
                let reply = try await provider.chat(helloRequest, options: .init())
                #expect(reply.content == "hello")
                Self.check(reply.usage, against: example)
            }
        }
    }

    @Test(arguments: cases)
    func tokenCountsOfAStreamAreClampedOrEstimated(kind: ProviderKind, example: UsageCase) async throws {
        try await withTestClient { client in
            let pieces = Wire.partialStream(kind) + Self.streamEnd(kind, example)
            try await withFakeUpstream({ _ in Reply.events(pieces) }) { upstream in
                let provider = makeProvider(kind, baseURL: upstream.baseURL, client: client)
                let (chunks, error) = await drain(try await provider.streamChat(helloRequest, options: .init()))
                #expect(error == nil)
                #expect(text(of: chunks) == "Hello")
                Self.check(chunks.last?.usage, against: example)
            }
        }
    }

    @Test func cachedAndThinkingTokensAddUpWithoutOverflow() async throws {
        let anthropic =
            #"{"type":"message","content":[{"type":"text","text":"hi"}],"stop_reason":"end_turn","usage":{"input_tokens":9223372036854775807,"cache_creation_input_tokens":9223372036854775807,"cache_read_input_tokens":5,"output_tokens":1}}"#
        let gemini =
            #"{"candidates":[{"content":{"parts":[{"text":"hi"}]},"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":1,"candidatesTokenCount":9223372036854775807,"thoughtsTokenCount":9223372036854775807}}"#
        try await withTestClient { client in
            for (kind, body) in [(ProviderKind.anthropic, anthropic), (.gemini, gemini)] {
                try await withFakeUpstream({ _ in Reply.json(body) }) { upstream in
                    let provider = makeProvider(kind, baseURL: upstream.baseURL, client: client)
                    let usage = try await provider.chat(helloRequest, options: .init()).usage
                    #expect(max(usage.promptTokens, usage.completionTokens) == Self.maximum)
                    #expect(!usage.isEstimated)
                }
            }
        }
    }

    /// The parts of a usage that are priced apart, read from each kind's fields; a part that cannot be read is billed
    /// at the plain price (counted as none), never fails the answer and never makes it free.
    @Test func cachedWriteAndReasoningCountsAreReadOrIgnored() async throws {
        let cases: [(ProviderKind, String, TokenUsage)] = [
            (
                .openAI,
                #"{"choices":[{"index":0,"message":{"content":"hi"},"finish_reason":"stop"}],"usage":{"prompt_tokens":100,"completion_tokens":50,"prompt_tokens_details":{"cached_tokens":60,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":20}}}"#,
                TokenUsage(promptTokens: 100, completionTokens: 50, cachedPromptTokens: 60, reasoningTokens: 20)
            ),
            (
                .openAI,
                #"{"choices":[{"index":0,"message":{"content":"hi"},"finish_reason":"stop"}],"usage":{"prompt_tokens":100,"completion_tokens":50,"prompt_tokens_details":"many","completion_tokens_details":{"reasoning_tokens":-3}}}"#,
                TokenUsage(promptTokens: 100, completionTokens: 50)
            ),
            (
                .anthropic,
                #"{"type":"message","content":[{"type":"text","text":"hi"}],"stop_reason":"end_turn","usage":{"input_tokens":10,"cache_read_input_tokens":20,"cache_creation_input_tokens":30,"output_tokens":5}}"#,
                TokenUsage(promptTokens: 60, completionTokens: 5, cachedPromptTokens: 20, cacheWriteTokens: 30)
            ),
            (
                .anthropic,
                #"{"type":"message","content":[{"type":"text","text":"hi"}],"stop_reason":"end_turn","usage":{"input_tokens":10,"cache_creation_input_tokens":30,"cache_creation":{"ephemeral_5m_input_tokens":10,"ephemeral_1h_input_tokens":20},"output_tokens":5}}"#,
                TokenUsage(promptTokens: 40, completionTokens: 5, cacheWriteTokens: 10, cacheWrite1hTokens: 20)
            ),
            (
                .anthropic,
                #"{"type":"message","content":[{"type":"text","text":"hi"}],"stop_reason":"end_turn","usage":{"input_tokens":10,"cache_creation_input_tokens":30,"cache_creation":[1,2],"output_tokens":5}}"#,
                TokenUsage(promptTokens: 40, completionTokens: 5, cacheWriteTokens: 30)
            ),
            (
                .gemini,
                #"{"candidates":[{"content":{"parts":[{"text":"hi"}]},"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":100,"cachedContentTokenCount":40,"toolUsePromptTokenCount":7,"candidatesTokenCount":9,"thoughtsTokenCount":11}}"#,
                TokenUsage(
                    promptTokens: 107, completionTokens: 20, cachedPromptTokens: 40, reasoningTokens: 11)
            ),
            (
                .gemini,
                #"{"candidates":[{"content":{"parts":[{"text":"hi"}]},"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":100,"cachedContentTokenCount":"x","candidatesTokenCount":9}}"#,
                TokenUsage(promptTokens: 100, completionTokens: 9)
            ),
        ]
        try await withTestClient { client in
            for (kind, body, expected) in cases {
                try await withFakeUpstream({ _ in Reply.json(body) }) { upstream in
                    let provider = makeProvider(kind, baseURL: upstream.baseURL, client: client)
                    let reply = try await provider.chat(helloRequest, options: .init())
                    #expect(reply.content == "hi")
                    #expect(reply.usage == expected, "\(kind): \(body)")
                }
            }
        }
    }

    /// Anthropic's `message_delta` may repeat the input counts, cumulatively: they replace `message_start`'s.
    @Test func anAnthropicMessageDeltaWithCacheCountsReplacesTheStartsCounts() async throws {
        let events = Reply.sse(
            [
                #"{"type":"message_start","message":{"id":"m","type":"message","role":"assistant","content":[],"usage":{"input_tokens":5,"cache_read_input_tokens":0,"output_tokens":1}}}"#,
                #"{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}"#,
                #"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hello"}}"#,
                #"{"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"input_tokens":5,"cache_read_input_tokens":900,"cache_creation_input_tokens":100,"output_tokens":42}}"#,
                #"{"type":"message_stop"}"#,
            ],
            event: ["message_start", "content_block_start", "content_block_delta", "message_delta", "message_stop"])
        try await withTestClient { client in
            try await withFakeUpstream({ _ in Reply.events(events) }) { upstream in
                let provider = makeProvider(.anthropic, baseURL: upstream.baseURL, client: client)
                let (chunks, error) = await drain(try await provider.streamChat(helloRequest, options: .init()))
                #expect(error == nil)
                #expect(
                    chunks.last?.usage
                        == TokenUsage(
                            promptTokens: 1_005, completionTokens: 42, cachedPromptTokens: 900, cacheWriteTokens: 100))
            }
        }
    }

    @Test(arguments: httpKinds)
    func anAbsurdRetryAfterIsCappedAtADay(kind: ProviderKind) async throws {
        let handlers: [FakeUpstream.Handler] = [
            { _ in Reply.json("{}", status: .tooManyRequests, headers: ["Retry-After": "1e300"]) },
            { _ in Reply.json("{}", status: .tooManyRequests, headers: ["Retry-After": "99999999999999999999"]) },
            { _ in Reply.json("{}", status: .tooManyRequests, headers: ["Retry-After": "Fri, 31 Dec 9999 23:59:59 GMT"])
            },
            { _ in Reply.json("{}", status: .tooManyRequests, headers: ["retry-after-ms": "1e300"]) },
            { _ in
                Reply.json(
                    #"{"error":{"code":429,"status":"RESOURCE_EXHAUSTED","details":[{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"1e30s"}]}}"#,
                    status: .tooManyRequests)
            },
        ]
        try await withTestClient { client in
            for handler in handlers {
                try await withFakeUpstream(handler) { upstream in
                    let provider = makeProvider(kind, baseURL: upstream.baseURL, client: client)
                    let error = await providerError { _ = try await provider.chat(helloRequest, options: .init()) }
                    #expect(error?.code == .rateLimited)
                    #expect(error?.retryAfter == .seconds(86_400))
                }
            }
        }
    }
}
