import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import SwitchyardCore
import Testing

@testable import SwitchyardProviders

/// A fuzz pass over every upstream decoder: seeded random mutations and truncations of valid OpenAI, Anthropic and
/// Gemini answers, event streams and error bodies, and random wait values. Each input must give a value or a
/// ``ProviderError``: never a trap, never a hang, never a number out of bounds.
@Suite("Fuzzing the upstream decoders", .timeLimit(.minutes(1)))
struct UpstreamDecoderFuzzTests {
    static let mapper = UpstreamErrorMapper(
        providerName: "fuzz", secrets: [], now: { Date(timeIntervalSince1970: 1_445_412_480) })
    static let maximumTokens = UpstreamTokenCount.maximum

    /// Valid non-streaming answers to start from.
    static let answers: [(ProviderKind, String)] = [
        (.openAI, Wire.hello(.openAI)),
        (
            .openAI,
            #"{"id":"c1","model":"m","choices":[{"message":{"role":"assistant","content":null,"tool_calls":[{"id":"call_9","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}}]},"finish_reason":"tool_calls"}],"usage":{"prompt_tokens":20,"completion_tokens":9}}"#
        ),
        (.anthropic, Wire.hello(.anthropic)),
        (
            .anthropic,
            #"{"id":"msg_2","type":"message","model":"m","content":[{"type":"thinking","thinking":"…"},{"type":"text","text":"Let me check."},{"type":"tool_use","id":"toolu_1","name":"get_weather","input":{"city":"Paris"}}],"stop_reason":"tool_use","usage":{"input_tokens":20,"cache_creation_input_tokens":5,"cache_read_input_tokens":7,"output_tokens":9}}"#
        ),
        (.gemini, Wire.hello(.gemini)),
        (
            .gemini,
            #"{"candidates":[{"content":{"role":"model","parts":[{"text":"thinking…","thought":true},{"functionCall":{"name":"get_weather","args":{"city":"Paris"}}}]},"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":20,"candidatesTokenCount":5,"thoughtsTokenCount":10},"promptFeedback":{"blockReason":null}}"#
        ),
    ]

    /// Valid streams (their events' `data`, and `event` names) to start from.
    static let streams: [(ProviderKind, [String], [String?]?)] = [
        (
            .openAI,
            [
                #"{"choices":[{"index":0,"delta":{"role":"assistant","content":"Hel"}}]}"#,
                #"{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"f","arguments":"{\"a\":"}}]}}]}"#,
                #"{"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}"#,
                #"{"choices":[],"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5}}"#, "[DONE]",
            ], nil
        ),
        (
            .anthropic,
            [
                #"{"type":"message_start","message":{"id":"msg_1","model":"m","usage":{"input_tokens":3,"cache_read_input_tokens":2,"output_tokens":1}}}"#,
                #"{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}"#,
                #"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hel"}}"#,
                #"{"type":"content_block_stop","index":0}"#,
                #"{"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"toolu_7","name":"f","input":{}}}"#,
                #"{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\"a\": 1}"}}"#,
                #"{"type":"content_block_stop","index":1}"#,
                #"{"type":"message_delta","delta":{"stop_reason":"tool_use"},"usage":{"output_tokens":2}}"#,
                #"{"type":"message_stop"}"#,
            ],
            [
                "message_start", "content_block_start", "content_block_delta", "content_block_stop",
                "content_block_start", "content_block_delta", "content_block_stop", "message_delta", "message_stop",
            ]
        ),
        (
            .gemini,
            [
                #"{"candidates":[{"content":{"role":"model","parts":[{"text":"Hel"}]}}],"usageMetadata":{"promptTokenCount":3}}"#,
                #"{"candidates":[{"content":{"role":"model","parts":[{"functionCall":{"name":"f","args":{"a":1}}}]}}]}"#,
                #"{"candidates":[{"content":{"role":"model","parts":[{"text":"lo"}]},"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":3,"candidatesTokenCount":2,"thoughtsTokenCount":4}}"#,
            ], nil
        ),
    ]

    /// Error bodies of every shape the mapper reads.
    static let errorBodies = [
        #"{"error":{"message":"slow down","type":"rate_limit_error","code":"rate_limit_exceeded"}}"#,
        #"{"type":"error","error":{"type":"billing_error","message":"Your credit balance is too low"}}"#,
        #"[{"error":{"code":429,"message":"quota","status":"RESOURCE_EXHAUSTED","details":[{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"37s"},{"reason":"API_KEY_INVALID"}]}}]"#,
        #"{"error":{"code":400,"message":"User location is not supported","status":"FAILED_PRECONDITION"}}"#,
        #"{"error":"flat message"}"#, #"{"detail":"local server"}"#,
    ]

    /// Decodes a non-streaming answer the way the provider of `kind` does.
    static func decodeAnswer(_ kind: ProviderKind, _ bytes: [UInt8]) throws -> ChatResponse {
        let body = ByteBuffer(bytes: bytes)
        switch kind {
        case .openAI:
            return try JSONCoding.decode(OpenAIChatCompletion.self, from: body, mapper: mapper)
                .chatResponse(for: helloRequest, mapper: mapper)
        case .anthropic:
            return try JSONCoding.decode(AnthropicMessageResponse.self, from: body, mapper: mapper)
                .chatResponse(for: helloRequest)
        default:
            return try JSONCoding.decode(GeminiResponse.self, from: body, mapper: mapper)
                .chatResponse(for: helloRequest, mapper: mapper)
        }
    }

    /// Reads a stream body given in `pieces` the way the provider of `kind` does, through the real reader.
    static func readStream(_ kind: ProviderKind, _ pieces: [[UInt8]]) async -> (
        chunks: [ChatStreamChunk], error: (any Error)?
    ) {
        let body = HTTPClientResponse.Body.stream(Pieces(pieces: pieces.map { ByteBuffer(bytes: $0) }))
        let watchdog = CallWatchdog(
            providerName: "fuzz", total: .seconds(20), requestTimeout: nil, headTimeout: .seconds(20))
        func read<D: StreamEventDecoder>(_ decoder: D) -> AsyncThrowingStream<ChatStreamChunk, any Error> {
            EventStreamReader(
                body: body, decoder: decoder, watchdog: watchdog, idle: .seconds(20), maxStreamBytes: 1 << 20,
                mapper: mapper
            ).stream()
        }
        switch kind {
        case .openAI: return await drain(read(OpenAIStreamDecoder(request: helloRequest, mapper: mapper)))
        case .anthropic: return await drain(read(AnthropicStreamDecoder(request: helloRequest, mapper: mapper)))
        default: return await drain(read(GeminiStreamDecoder(request: helloRequest, mapper: mapper)))
        }
    }

    static func checkUsage(_ usage: TokenUsage?) {
        guard let usage else { return }
        #expect((0...maximumTokens).contains(usage.promptTokens))
        #expect((0...maximumTokens).contains(usage.completionTokens))
    }

    // The fuzz loops yield once a round: seconds of decoding on one of the few cooperative threads would starve the
    // other suites' timing tests at the start of a run.
    @Test func mutatedAnswersGiveAnAnswerOrAProviderError() async throws {
        var fuzzer = UpstreamFuzzer(seed: 0x5EED_0001)
        var tried = 0
        for round in 0..<500 {
            await Task.yield()
            for (kind, answer) in Self.answers {
                let input = round % 3 == 0 ? Array(fuzzer.mutateStructure(answer).utf8) : fuzzer.mutate(answer)
                tried += 1
                do {
                    Self.checkUsage(try Self.decodeAnswer(kind, input).usage)
                } catch let error as ProviderError {
                    #expect(error.code == .malformedResponse)
                } catch {
                    Issue.record("\(kind): not a ProviderError: \(error) for \(String(decoding: input, as: UTF8.self))")
                }
            }
        }
        print("fuzz: \(tried) mutated answers")
        #expect(tried == 3_000)
    }

    @Test func mutatedStreamsGiveChunksOrAProviderError() async throws {
        var fuzzer = UpstreamFuzzer(seed: 0x5EED_0002)
        var tried = 0
        for round in 0..<400 {
            await Task.yield()
            for (kind, events, names) in Self.streams {
                var events = events
                if round % 2 == 0 {
                    let index = fuzzer.int(0..<events.count)
                    events[index] = fuzzer.mutateStructure(events[index])
                }
                var body = Array(Reply.sse(events, event: names).joined().utf8)
                if round % 2 == 1 || fuzzer.chance(0.3) { body = fuzzer.mutate(String(decoding: body, as: UTF8.self)) }
                tried += 1
                let (chunks, error) = await Self.readStream(kind, fuzzer.split(body))
                if let error {
                    #expect(error is ProviderError, "\(kind): \(error)")
                } else {
                    // A stream that ends cleanly ends with its one final chunk.
                    #expect(chunks.last?.finishReason != nil)
                    #expect(chunks.dropLast().allSatisfy { $0.finishReason == nil })
                    Self.checkUsage(chunks.last?.usage)
                }
            }
        }
        print("fuzz: \(tried) mutated streams")
        #expect(tried == 1_200)
    }

    @Test func mutatedErrorsAndWaitsAreClassifiedAndBounded() async {
        var fuzzer = UpstreamFuzzer(seed: 0x5EED_0003)
        var tried = 0
        for _ in 0..<1_500 {
            await Task.yield()
            let status = fuzzer.pick([400, 401, 402, 403, 404, 405, 408, 413, 422, 429, 500, 503, 529, 302])
            var headers = HTTPHeaders()
            if fuzzer.chance(0.5) { headers.add(name: "retry-after", value: fuzzer.waitValue()) }
            if fuzzer.chance(0.3) { headers.add(name: "retry-after-ms", value: fuzzer.waitValue()) }
            var body = fuzzer.pick(Self.errorBodies)
            if fuzzer.chance(0.3) {
                body = body.replacingOccurrences(of: "37s", with: fuzzer.waitValue() + "s")
            }
            let bytes = fuzzer.chance(0.5) ? fuzzer.mutate(body) : Array(body.utf8)
            tried += 1
            let error = Self.mapper.httpError(status: status, headers: headers, body: bytes)
            #expect(error.httpStatus == status)
            #expect(!error.mayHaveBilled)
            if let wait = error.retryAfter { #expect(wait >= .zero && wait <= RetryAfter.maximum) }

            let value = fuzzer.waitValue()
            tried += 3
            for wait in [
                RetryAfter.parse(value, now: Date()), RetryAfter.parseMilliseconds(value),
                RetryAfter.parseProtobufDuration(value + "s"),
            ] {
                if let wait { #expect(wait >= .zero && wait <= RetryAfter.maximum, "\(value)") }
            }
        }
        print("fuzz: \(tried) error bodies and wait values")
        #expect(tried == 6_000)
    }
}

/// A body made of given pieces, for reading a stream without a socket.
private struct Pieces: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    var pieces: [ByteBuffer]

    struct AsyncIterator: AsyncIteratorProtocol {
        var remaining: ArraySlice<ByteBuffer>
        mutating func next() async -> ByteBuffer? { remaining.popFirst() }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(remaining: pieces[...]) }
}
