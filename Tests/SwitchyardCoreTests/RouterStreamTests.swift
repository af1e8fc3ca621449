import SwitchyardCore
import SwitchyardTesting
import Synchronization
import Testing

@Suite(.timeLimit(.minutes(1))) struct RouterStreamTests {
    typealias H = RouterHarness

    final class Collector: Sendable {
        let chunks = Mutex<[ChatStreamChunk]>([])
        func add(_ chunk: ChatStreamChunk) { chunks.withLock { $0.append(chunk) } }
        var text: String { chunks.withLock { $0.compactMap(\.contentDelta).joined() } }
        var last: ChatStreamChunk? { chunks.withLock { $0.last } }
    }

    @Test func streamsTheAnswerWithUsageOnTheLastChunk() async throws {
        let h = try H(
            providers: [(H.profile("a", pricePerMTok: 1_000_000), [.reply("one two three", usage: TokenUsage(promptTokens: 3, completionTokens: 3))])],
            routes: [H.route(tiers: [["a"]])])
        let collector = Collector()
        let answer = try await h.router.routeStream(H.request()) { collector.add($0.chunk) }
        #expect(collector.text == "one two three")
        #expect(collector.last?.finishReason == .stop)
        #expect(collector.last?.usage == TokenUsage(promptTokens: 3, completionTokens: 3))
        #expect(answer.response.content == "one two three")
        #expect(answer.cost == MicroDollars(6))
    }

    @Test func failsOverWhenTheStreamBreaksBeforeItsFirstChunk() async throws {
        let h = try H(
            providers: [
                (H.profile("a"), [.stream([], thenFail: ProviderError(.streamInterrupted, "cut"))]),
                (H.profile("b"), [.reply("from b")]),
            ],
            routes: [H.route(tiers: [["a"], ["b"]])])
        let collector = Collector()
        let answer = try await h.router.routeStream(H.request()) { collector.add($0.chunk) }
        #expect(answer.provider == "b")
        #expect(collector.text == "from b")
    }

    @Test func aStreamCutAfterItStartedIsAnErrorNotACleanFinish() async throws {
        let h = try H(
            providers: [
                (H.profile("a"), [.stream([ChatStreamChunk(contentDelta: "Hel")], thenFail: ProviderError(.streamInterrupted, "cut"))]),
                (H.profile("b"), [.reply("never")]),
            ],
            routes: [H.route(tiers: [["a"], ["b"]])])
        let collector = Collector()
        let error = await #expect(throws: RoutingError.self) {
            try await h.router.routeStream(H.request()) { collector.add($0.chunk) }
        }
        #expect(error?.code == .streamInterrupted)
        #expect(collector.text == "Hel")
        #expect(h.providers["b"]!.callCount == 0)
        #expect(error?.attempts.first?.usage?.isEstimated == true)
    }

    @Test func aStreamThatEndsWithoutFinishReasonIsInterrupted() async throws {
        let h = try H(
            providers: [(H.profile("a"), [.stream([ChatStreamChunk(contentDelta: "partial")])])],
            routes: [H.route(tiers: [["a"]])])
        let error = await #expect(throws: RoutingError.self) { try await h.router.routeStream(H.request()) { _ in } }
        #expect(error?.code == .streamInterrupted)
    }

    @Test func escalatesAStreamThatStartsWithTheMarkerBeforeSendingAnything() async throws {
        let h = try H(
            providers: [
                (H.profile("small"), [.reply("[ESCALATE] not me")]),
                (H.profile("big"), [.reply("big answer")]),
            ],
            routes: [H.route(tiers: [["small"]], escalateTo: ["big"])])
        let collector = Collector()
        let answer = try await h.router.routeStream(H.request()) { collector.add($0.chunk) }
        #expect(answer.provider == "big")
        #expect(collector.text == "big answer")
        #expect(answer.attempts.map(\.outcome) == [.escalated, .success])
    }
}
