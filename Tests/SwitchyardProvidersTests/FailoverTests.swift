import HTTPTypes
import Hummingbird
import SwitchyardCore
import SwitchyardProviders
import SwitchyardTesting
import Testing

/// Real providers behind the core router: failures over the wire drive retries, the breaker and failover.
@Suite("Failover through the router", .timeLimit(.minutes(1)))
struct FailoverTests {
    @Test func aFailingUpstreamOpensItsBreakerAndTheBackupAnswers() async throws {
        let failing: FakeUpstream.Handler = { _ in
            Reply.json(#"{"error":{"message":"upstream A is overloaded"}}"#, status: .serviceUnavailable)
        }
        let healthy: FakeUpstream.Handler = { request in
            request.body.contains(#""stream":true"#)
                ? Reply.events(Wire.partialStream(.openAI) + Wire.streamEnd(.openAI))
                : Reply.json(Wire.hello(.openAI))
        }
        try await withFakeUpstream(failing) { upstreamA in
            try await withFakeUpstream(healthy) { upstreamB in
                try await withTestClient { client in
                    let events = InMemoryEventSink()
                    let router = try Router(
                        configuration: Self.configuration(),
                        providers: [
                            "a": makeProvider(.openAI, baseURL: upstreamA.baseURL, client: client),
                            "b": makeProvider(.openAI, baseURL: upstreamB.baseURL, client: client),
                        ],
                        clock: ManualClock(), eventSink: events)

                    // Two requests: A fails with 503 each time, B answers; the second failure opens A's breaker.
                    for id in ["r1", "r2"] {
                        let answer = try await router.route(
                            RoutingRequest(id: id, model: "chain", chat: helloRequest))
                        #expect(answer.provider == "b")
                        #expect(answer.tier == "backup")
                        #expect(answer.response.content == "hello")
                        #expect(answer.attempts.map(\.provider) == ["a", "b"])
                        #expect(answer.attempts.first?.errorCode == "server_error")
                        #expect(answer.attempts.first?.httpStatus == 503)
                    }
                    #expect(upstreamA.requests.count == 2)
                    let transitions = events.events.compactMap { event -> BreakerTransition? in
                        if case .breakerTransition(let transition) = event { return transition }
                        return nil
                    }
                    #expect(transitions.map(\.provider) == ["a"])
                    #expect(transitions.first?.to == .open)

                    // With the breaker open, A is skipped without a call, also for a streamed answer.
                    var streamed = ""
                    let answer = try await router.routeStream(
                        RoutingRequest(id: "r3", model: "chain", chat: helloRequest)
                    ) { chunk in
                        streamed += chunk.chunk.contentDelta ?? ""
                    }
                    #expect(answer.provider == "b")
                    #expect(streamed == "Hello")
                    #expect(answer.response.usage == TokenUsage(promptTokens: 3, completionTokens: 2))
                    #expect(upstreamA.requests.count == 2)
                    let skipped = events.events(for: "r3").compactMap { event -> TargetSkipped? in
                        if case .targetSkipped(let skip) = event { return skip }
                        return nil
                    }
                    #expect(skipped.map(\.provider) == ["a"])
                    #expect(skipped.first?.reason == .breakerOpen)
                    let finished = events.events.compactMap { event -> RequestFinished? in
                        if case .requestFinished(let done) = event { return done }
                        return nil
                    }
                    #expect(finished.map(\.status) == [.success, .success, .success])
                    #expect(finished.map(\.provider) == ["b", "b", "b"])
                }
            }
        }
    }

    /// A route that tries provider `a` first, then `b`; `a` opens its breaker after two consecutive failures and
    /// is never retried within a request.
    static func configuration() -> RouterConfiguration {
        let breaker = CircuitBreakerConfiguration(consecutiveFailureThreshold: 2, minimumCalls: 100)
        return RouterConfiguration(
            providers: [
                ProviderProfile(name: "a", models: [ModelProfile(name: "m")], retry: .none, circuitBreaker: breaker),
                ProviderProfile(name: "b", models: [ModelProfile(name: "m")], retry: .none),
            ],
            routes: [
                Route(
                    name: "chain",
                    tiers: [
                        Tier(name: "primary", targets: [RouteTarget(provider: "a", model: "m")]),
                        Tier(name: "backup", targets: [RouteTarget(provider: "b", model: "m")]),
                    ])
            ])
    }
}
