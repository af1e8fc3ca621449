@testable import SwitchyardCore
import SwitchyardTesting
import Testing

@Suite(.timeLimit(.minutes(1))) struct SimulatedProviderTests {
    let request = ChatRequest(model: "small", messages: [.user("What is a router?")])

    @Test func answersAfterItsLatencyOnTheInjectedClock() async throws {
        let clock = ManualClock()
        let provider = SimulatedProvider(name: "sim", configuration: .init(latency: .milliseconds(200)), clock: clock)
        let call = Task { try await provider.chat(request, options: .init()) }
        await clock.waitForSleepers(1)
        clock.advance(by: .milliseconds(200))
        let reply = try await call.value
        #expect(reply.content?.contains("What is a router?") == true)
        #expect(reply.finishReason == .stop)
        #expect(reply.usage.promptTokens > 0 && reply.usage.completionTokens > 0)
    }

    @Test func failureRateIsSeededAndRepeatable() async throws {
        func outcomes(seed: UInt64) async -> [Bool] {
            let provider = SimulatedProvider(
                name: "sim", configuration: .init(latency: .zero, failureRate: 0.5, seed: seed),
                clock: ManualClock(autoAdvance: true))
            var results: [Bool] = []
            for _ in 0..<40 {
                do {
                    _ = try await provider.chat(request, options: .init())
                    results.append(true)
                } catch let error as ProviderError {
                    #expect(error.httpStatus == 503 && error.isRetryable)
                    results.append(false)
                } catch {
                    Issue.record("unexpected \(error)")
                }
            }
            return results
        }
        let first = await outcomes(seed: 9)
        #expect(first == (await outcomes(seed: 9)))
        #expect((10...30).contains(first.filter { $0 }.count))
    }

    @Test func aDownProviderFailsAndItsProbeSaysSo() async throws {
        let provider = SimulatedProvider(name: "sim", configuration: .init(latency: .zero, isDown: true), clock: ManualClock())
        await #expect(throws: ProviderError.self) { try await provider.chat(request, options: .init()) }
        await #expect(throws: ProviderError.self) { try await provider.probe(options: .init()) }
        provider.setDown(false)
        #expect(try await provider.probe(options: .init()))
        #expect(try await provider.chat(request, options: .init()).content != nil)
    }

    @Test func escalatesWithItsMarker() async throws {
        let provider = SimulatedProvider(
            name: "sim", configuration: .init(latency: .zero, escalationRate: 1, escalationMarker: "[UP]"),
            clock: ManualClock())
        #expect(try await provider.chat(request, options: .init()).content?.hasPrefix("[UP]") == true)
    }

    @Test func givesUpAtTheRequestsDeadlineWhenItHasLessTimeThanItsLatency() async throws {
        let clock = ManualClock(autoAdvance: true)
        let provider = SimulatedProvider(name: "sim", configuration: .init(latency: .seconds(5)), clock: clock)
        let error = await #expect(throws: ProviderError.self) {
            try await provider.chat(request, options: .init(timeout: .seconds(1)))
        }
        #expect(error?.code == .requestDeadline)
        #expect(clock.sleeps == [.seconds(1)])
    }

    @Test func streamsTheSameAnswerInPiecesAndRespectsMaxTokens() async throws {
        let provider = SimulatedProvider(name: "sim", configuration: .init(latency: .zero), clock: ManualClock())
        var limited = request
        limited.maxTokens = 3
        var text = ""
        var last: ChatStreamChunk?
        for try await chunk in try await provider.streamChat(limited, options: .init()) {
            text += chunk.contentDelta ?? ""
            last = chunk
        }
        #expect(last?.finishReason == .length)
        #expect(last?.usage?.completionTokens == 3)
        #expect(text.count <= 12)
    }

    @Test func callsTheFirstToolWhenToolsAreOffered() async throws {
        let provider = SimulatedProvider(name: "sim", configuration: .init(latency: .zero), clock: ManualClock())
        var withTools = request
        withTools.tools = [ToolDefinition(name: "lookup", parameters: .object(["type": .string("object")]))]
        let reply = try await provider.chat(withTools, options: .init())
        #expect(reply.finishReason == .toolCalls)
        #expect(reply.toolCalls.map(\.name) == ["lookup"])
    }
}

@Suite struct ProviderScoringTests {
    @Test func weighsLatencyReliabilityAndCost() throws {
        func snapshot(_ name: String, latency: Duration, successes: Int, failures: Int, price: Int64) -> ProviderSnapshot {
            var stats = ProviderStats()
            stats.requests = successes + failures
            stats.successes = successes
            stats.failures = failures
            stats.ewmaLatency = latency
            let profile = ProviderProfile(
                name: name,
                models: [ModelProfile(name: "m", pricing: .init(inputPerMillionTokens: MicroDollars(price), outputPerMillionTokens: MicroDollars(price)))])
            return ProviderSnapshot(
                profile: profile, breakerState: .closed, isForcedDown: false, isHealthy: true, inFlight: 0, stats: stats)
        }
        let scores = ProviderScoring().scores([
            snapshot("best", latency: .milliseconds(100), successes: 10, failures: 0, price: 100),
            snapshot("flaky", latency: .milliseconds(100), successes: 5, failures: 5, price: 100),
            snapshot("slow", latency: .milliseconds(400), successes: 10, failures: 0, price: 100),
        ])
        #expect(abs(scores["best"]! - 1.0) < 1e-9)
        #expect(abs(scores["flaky"]! - 0.75) < 1e-9)  // reliability 0.5 × weight 0.5 lost
        #expect(abs(scores["slow"]! - 0.775) < 1e-9)  // latency 0.25 × weight 0.3 = 0.075 of 0.3
    }
}
