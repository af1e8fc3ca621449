import HTTPTypes
import Hummingbird
import SwitchyardCore
import SwitchyardProviders
import SwitchyardTesting
import Testing

/// `mayHaveBilled` over real sockets: `true` once the request may have reached the provider and no usage came back,
/// `false` when nothing was sent or the provider answered with an error status.
@Suite("Whether a failed call may have been billed", .timeLimit(.minutes(1)))
struct MayHaveBilledTests {
    @Test(arguments: httpKinds)
    func aConnectionClosedAfterTheRequestWasSentMayHaveBilled(kind: ProviderKind) async throws {
        try await withTestClient { client in
            try await withRawListener { listener in
                let provider = makeProvider(
                    kind, baseURL: listener.baseURL + (kind == .openAI ? "/v1" : ""), client: client)
                async let closed: Void = listener.acceptReadRequestAndClose()
                let error = await providerError { _ = try await provider.chat(helloRequest, options: .init()) }
                try await closed
                #expect(error?.code == .connectionFailed)
                #expect(error?.mayHaveBilled == true, "the provider had the whole request")
            }
        }
    }

    @Test(arguments: httpKinds)
    func aRefusedConnectionSentNothing(kind: ProviderKind) async throws {
        try await withTestClient { client in
            try await withRefusingPort { port in
                let provider = makeProvider(kind, baseURL: "http://127.0.0.1:\(port)", client: client)
                let error = await providerError { _ = try await provider.chat(helloRequest, options: .init()) }
                #expect(error?.code == .connectionFailed)
                #expect(error?.mayHaveBilled == false)
            }
        }
    }

    @Test(arguments: httpKinds)
    func anUnreadable200MayHaveBilledButAnErrorStatusDidNot(kind: ProviderKind) async throws {
        try await withTestClient { client in
            let handler: FakeUpstream.Handler = { request in
                request.body.contains("broken")
                    ? Reply.json(#"{"choices":[{"message":"#)
                    : Reply.json(#"{"error":{"message":"overloaded"}}"#, status: .serviceUnavailable)
            }
            try await withFakeUpstream(handler) { upstream in
                let provider = makeProvider(kind, baseURL: upstream.baseURL, client: client)
                let broken = ChatRequest(model: "m", messages: [.user("broken")])
                let malformed = await providerError { _ = try await provider.chat(broken, options: .init()) }
                #expect(malformed?.code == .malformedResponse)
                #expect(malformed?.mayHaveBilled == true)
                let status = await providerError { _ = try await provider.chat(helloRequest, options: .init()) }
                #expect(status?.code == .serverError)
                #expect(status?.mayHaveBilled == false)
            }
        }
    }

    @Test(arguments: httpKinds)
    func aStreamThatBreaksMayHaveBilled(kind: ProviderKind) async throws {
        let gate = Gate()
        try await withTestClient { client in
            let pieces = Wire.partialStream(kind)
            try await withFakeUpstream({ _ in Reply.events(pieces, then: .breakConnection(gate)) }) { upstream in
                defer { gate.open() }
                let provider = makeProvider(kind, baseURL: upstream.baseURL, client: client)
                let stream = try await provider.streamChat(helloRequest, options: .init())
                gate.open()
                let (_, error) = await drain(stream)
                let failure = try #require(error as? ProviderError)
                #expect(failure.code == .streamInterrupted)
                #expect(failure.mayHaveBilled)
            }
        }
    }
}
