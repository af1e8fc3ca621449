import SwitchyardTesting
import Foundation
import HTTPTypes
import Hummingbird
import SwitchyardCore
import SwitchyardProviders
import Testing

/// The behaviour every HTTP adapter shares, run against each over a real socket.
@Suite("Every provider kind over a socket", .timeLimit(.minutes(1)))
struct ProviderFailureTests {
    @Test(arguments: httpKinds)
    func answersAPlainChat(kind: ProviderKind) async throws {
        try await withTestClient { client in
            try await withFakeUpstream({ _ in Reply.json(Wire.hello(kind)) }) { upstream in
                let provider = makeProvider(kind, baseURL: upstream.baseURL, client: client)
                let reply = try await provider.chat(helloRequest, options: .init(requestID: "r1"))
                #expect(reply.content == "hello")
                #expect(reply.finishReason == .stop)
                #expect(reply.usage == TokenUsage(promptTokens: 3, completionTokens: 1))
                #expect(upstream.requests.first?.uri == Wire.chatPath(kind))
            }
        }
    }

    @Test(arguments: httpKinds)
    func rateLimitCarriesRetryAfterSeconds(kind: ProviderKind) async throws {
        try await withTestClient { client in
            let handler: FakeUpstream.Handler = { _ in
                Reply.json(
                    #"{"error":{"message":"Rate limit reached"}}"#, status: .tooManyRequests,
                    headers: ["Retry-After": "17"])
            }
            try await withFakeUpstream(handler) { upstream in
                let provider = makeProvider(kind, baseURL: upstream.baseURL, client: client)
                let error = await providerError { _ = try await provider.chat(helloRequest, options: .init()) }
                #expect(error?.code == .rateLimited)
                #expect(error?.retryAfter == .seconds(17))
                #expect(error?.isRetryable == true)
                #expect(error?.countsAsBreakerFailure == false)
                #expect(error?.message.contains("Rate limit reached") == true)
            }
        }
    }

    @Test(arguments: httpKinds)
    func rateLimitCarriesRetryAfterDate(kind: ProviderKind) async throws {
        try await withTestClient { client in
            let handler: FakeUpstream.Handler = { _ in
                let date = Reply.httpDate(Date().addingTimeInterval(120))
                return Reply.json("{}", status: .tooManyRequests, headers: ["Retry-After": date])
            }
            try await withFakeUpstream(handler) { upstream in
                let provider = makeProvider(kind, baseURL: upstream.baseURL, client: client)
                let error = await providerError { _ = try await provider.chat(helloRequest, options: .init()) }
                #expect(error?.code == .rateLimited)
                // The date has one-second resolution and was written a moment before it was read.
                let wait = try #require(error?.retryAfter)
                #expect(wait > .seconds(100) && wait <= .seconds(121))
            }
        }
    }

    @Test(arguments: httpKinds)
    func serverErrorIsRetryableAndCountsForTheBreaker(kind: ProviderKind) async throws {
        try await withTestClient { client in
            let handler: FakeUpstream.Handler = { _ in
                Reply.json(#"{"error":{"message":"upstream overloaded"}}"#, status: .serviceUnavailable)
            }
            try await withFakeUpstream(handler) { upstream in
                let provider = makeProvider(kind, baseURL: upstream.baseURL, client: client)
                let error = await providerError { _ = try await provider.chat(helloRequest, options: .init()) }
                #expect(error?.code == .serverError)
                #expect(error?.httpStatus == 503)
                #expect(error?.isRetryable == true)
                #expect(error?.countsAsBreakerFailure == true)
            }
        }
    }

    @Test(arguments: httpKinds)
    func authenticationFailureNeverShowsTheKey(kind: ProviderKind) async throws {
        try await withTestClient { client in
            let handler: FakeUpstream.Handler = { _ in
                Reply.json(#"{"error":{"message":"Incorrect API key provided: \#(testKey)"}}"#, status: .unauthorized)
            }
            try await withFakeUpstream(handler) { upstream in
                let provider = makeProvider(kind, baseURL: upstream.baseURL, client: client)
                let error = await providerError { _ = try await provider.chat(helloRequest, options: .init()) }
                #expect(error?.code == .authentication)
                #expect(error?.isRetryable == false)
                #expect(error.map { "\($0)" }?.contains(testKey) == false)
                #expect(!"\(provider)".contains(testKey))
            }
        }
    }

    @Test(arguments: httpKinds)
    func badRequestAndContextLengthAreTold(kind: ProviderKind) async throws {
        try await withTestClient { client in
            let handler: FakeUpstream.Handler = { request in
                if request.body.contains("long") {
                    return Reply.json(
                        #"{"error":{"message":"This model's maximum context length is 8192 tokens","code":"context_length_exceeded"}}"#,
                        status: .badRequest)
                }
                return Reply.json(#"{"error":{"message":"temperature must be <= 2"}}"#, status: .badRequest)
            }
            try await withFakeUpstream(handler) { upstream in
                let provider = makeProvider(kind, baseURL: upstream.baseURL, client: client)
                let bad = await providerError { _ = try await provider.chat(helloRequest, options: .init()) }
                #expect(bad?.code == .badRequest)
                #expect(bad?.stopsFailover == true)
                let long = ChatRequest(model: "m", messages: [.user("long")])
                let tooLong = await providerError { _ = try await provider.chat(long, options: .init()) }
                #expect(tooLong?.code == .contextLengthExceeded)
            }
        }
    }

    @Test(arguments: httpKinds)
    func truncatedJSONIsAMalformedResponse(kind: ProviderKind) async throws {
        try await withTestClient { client in
            let cut = String(Wire.hello(kind).prefix(40))
            try await withFakeUpstream({ _ in Reply.json(cut) }) { upstream in
                let provider = makeProvider(kind, baseURL: upstream.baseURL, client: client)
                let error = await providerError { _ = try await provider.chat(helloRequest, options: .init()) }
                #expect(error?.code == .malformedResponse)
                #expect(error?.isRetryable == true)
            }
        }
    }

    @Test(arguments: httpKinds)
    func refusedConnectionFailsFast(kind: ProviderKind) async throws {
        try await withTestClient { client in
            try await withRefusingPort { port in
                let provider = makeProvider(kind, baseURL: "http://127.0.0.1:\(port)", client: client)
                let error = await providerError { _ = try await provider.chat(helloRequest, options: .init()) }
                #expect(error?.code == .connectionFailed)
                #expect(error?.countsAsBreakerFailure == true)
                let streamError = await providerError {
                    _ = try await provider.streamChat(helloRequest, options: .init())
                }
                #expect(streamError?.code == .connectionFailed)
            }
        }
    }

    @Test(arguments: httpKinds)
    func silentServerHitsTheFirstByteTimeout(kind: ProviderKind) async throws {
        try await withSilentUpstream(kind) { upstream, client in
            let provider = makeProvider(kind, baseURL: upstream.baseURL, client: client, timeouts: shortTimeouts)
            let error = await providerError { _ = try await provider.chat(helloRequest, options: .init()) }
            #expect(error?.code == .timeout)
            #expect(error?.message.contains("response headers") == true)
            let streamError = await providerError {
                _ = try await provider.streamChat(helloRequest, options: .init())
            }
            #expect(streamError?.code == .timeout)
        }
    }

    @Test(arguments: httpKinds)
    func theRoutersDeadlineCutsTheCall(kind: ProviderKind) async throws {
        try await withSilentUpstream(kind) { upstream, client in
            let provider = makeProvider(kind, baseURL: upstream.baseURL, client: client)
            let options = ProviderCallOptions(requestID: "r", timeout: .milliseconds(150))
            let error = await providerError { _ = try await provider.chat(helloRequest, options: options) }
            #expect(error?.code == .requestDeadline)
            #expect(error?.message.contains("deadline") == true)
            #expect(error?.countsAsBreakerFailure == false)
        }
    }

    @Test(arguments: httpKinds)
    func streamsDeltasInOrderWithUsageAtTheEnd(kind: ProviderKind) async throws {
        try await withTestClient { client in
            let pieces = Wire.partialStream(kind) + Wire.streamEnd(kind)
            try await withFakeUpstream({ _ in Reply.events(pieces) }) { upstream in
                let provider = makeProvider(kind, baseURL: upstream.baseURL, client: client)
                let (chunks, error) = await drain(try await provider.streamChat(helloRequest, options: .init()))
                #expect(error == nil)
                #expect(chunks.compactMap(\.contentDelta) == ["Hel", "lo"])
                #expect(chunks.last?.finishReason == .stop)
                #expect(chunks.last?.usage == TokenUsage(promptTokens: 3, completionTokens: 2))
                #expect(chunks.dropLast().allSatisfy { $0.finishReason == nil })
                #expect(upstream.requests.first?.uri == Wire.chatPath(kind, stream: true))
                #expect(upstream.requests.first?.headers["accept"] == "text/event-stream")
            }
        }
    }

    @Test(arguments: httpKinds)
    func streamSplitIntoTinyPiecesStillDecodes(kind: ProviderKind) async throws {
        try await withTestClient { client in
            let body = (Wire.partialStream(kind) + Wire.streamEnd(kind)).joined().replacingOccurrences(
                of: "\n", with: "\r\n")
            let pieces = stride(from: 0, to: body.count, by: 7).map { start in
                String(Array(body)[start..<min(start + 7, body.count)])
            }
            try await withFakeUpstream({ _ in Reply.events(pieces) }) { upstream in
                let provider = makeProvider(kind, baseURL: upstream.baseURL, client: client)
                let (chunks, error) = await drain(try await provider.streamChat(helloRequest, options: .init()))
                #expect(error == nil)
                #expect(text(of: chunks) == "Hello")
                #expect(chunks.last?.finishReason == .stop)
            }
        }
    }

    @Test(arguments: httpKinds)
    func aBrokenConnectionMidStreamThrows(kind: ProviderKind) async throws {
        let gate = Gate()
        try await withTestClient { client in
            let pieces = Wire.partialStream(kind)
            try await withFakeUpstream({ _ in Reply.events(pieces, then: .breakConnection(gate)) }) { upstream in
                defer { gate.open() }
                let provider = makeProvider(kind, baseURL: upstream.baseURL, client: client)
                var chunks = try await provider.streamChat(helloRequest, options: .init()).makeAsyncIterator()
                var received = ""
                while received != "Hello", let chunk = try await chunks.next() {
                    #expect(chunk.finishReason == nil)
                    received += chunk.contentDelta ?? ""
                }
                gate.open()  // now the upstream breaks the connection
                let error = await providerError {
                    while let chunk = try await chunks.next() { #expect(chunk.finishReason == nil) }
                }
                #expect(error?.code == .streamInterrupted)
            }
        }
    }

    @Test(arguments: httpKinds)
    func aStreamEndingBeforeItsEndMarkerThrows(kind: ProviderKind) async throws {
        try await withTestClient { client in
            let pieces = Wire.partialStream(kind)
            try await withFakeUpstream({ _ in Reply.events(pieces, then: .end) }) { upstream in
                let provider = makeProvider(kind, baseURL: upstream.baseURL, client: client)
                let (chunks, error) = await drain(try await provider.streamChat(helloRequest, options: .init()))
                #expect(text(of: chunks) == "Hello")
                let failure = try #require(error as? ProviderError)
                #expect(failure.code == .streamInterrupted)
                #expect(failure.isRetryable)
            }
        }
    }

    @Test(arguments: httpKinds)
    func aStalledStreamHitsTheIdleTimeout(kind: ProviderKind) async throws {
        let gate = Gate()
        try await withTestClient { client in
            let pieces = Wire.partialStream(kind)
            try await withFakeUpstream({ _ in Reply.events(pieces, then: .stall(gate)) }) { upstream in
                defer { gate.open() }
                let provider = makeProvider(kind, baseURL: upstream.baseURL, client: client, timeouts: stallTimeouts)
                let (chunks, error) = await drain(try await provider.streamChat(helloRequest, options: .init()))
                #expect(text(of: chunks) == "Hello")
                let failure = try #require(error as? ProviderError)
                #expect(failure.code == .timeout)
                #expect(failure.message.contains("stalled"))
            }
        }
    }

    @Test(arguments: httpKinds)
    func anErrorStatusThrowsFromStreamChatItself(kind: ProviderKind) async throws {
        try await withTestClient { client in
            let handler: FakeUpstream.Handler = { _ in
                Reply.json(#"{"error":{"message":"down"}}"#, status: .badGateway)
            }
            try await withFakeUpstream(handler) { upstream in
                let provider = makeProvider(kind, baseURL: upstream.baseURL, client: client)
                let error = await providerError { _ = try await provider.streamChat(helloRequest, options: .init()) }
                #expect(error?.code == .serverError)
                #expect(error?.httpStatus == 502)
            }
        }
    }

    @Test(arguments: httpKinds)
    func probeAsksTheModelList(kind: ProviderKind) async throws {
        try await withTestClient { client in
            let handler: FakeUpstream.Handler = { request in
                request.headers.values.contains { $0.contains(testKey) }
                    ? Reply.json(#"{"data":[],"models":[]}"#)
                    : Reply.json(#"{"error":{"message":"no key"}}"#, status: .unauthorized)
            }
            try await withFakeUpstream(handler) { upstream in
                let provider = makeProvider(kind, baseURL: upstream.baseURL, client: client)
                #expect(try await provider.probe(options: .init()))
                let probe = try #require(upstream.requests.last)
                #expect(probe.method == "GET")
                let expected =
                    switch kind {
                    case .openAI: "/v1/models"
                    case .anthropic: "/v1/models?limit=1"
                    default: "/v1beta/models?pageSize=1"
                    }
                #expect(probe.uri == expected)
                let keyless = makeProvider(kind, baseURL: upstream.baseURL, client: client, key: nil)
                let error = await providerError { _ = try await keyless.probe(options: .init()) }
                #expect(error?.code == .authentication)
            }
        }
    }
}
