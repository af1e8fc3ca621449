import struct Foundation.Date
import Synchronization

extension Router {
    /// Runs one request through its ``RequestExecution``.
    func execute(
        _ request: RoutingRequest,
        onChunk: ((RoutedChunk) async throws -> Void)?
    ) async throws -> RoutedResponse {
        inFlight.add(1, ordering: .relaxed)
        defer { inFlight.subtract(1, ordering: .relaxed) }
        var execution = RequestExecution(router: self, request: request, onChunk: onChunk)
        return try await execution.run()
    }

    func emit(_ event: RouterEvent) {
        eventSink.emit(event)
    }

    /// Reports a breaker change as an event.
    func report(_ change: CircuitBreaker<RouterInstant>.Change?, provider: String) {
        guard let change else { return }
        let at = now()
        emit(
            .breakerTransition(
                BreakerTransition(
                    provider: provider, from: change.from, to: change.to, reason: change.reason, at: at,
                    openUntil: change.openFor.map { at.addingTimeInterval($0.inSeconds) })))
    }

    /// Orders a tier's candidates by the request's priority or the tier's balance strategy.
    func order(
        _ candidates: [Candidate], strategy: BalanceStrategy, request: RoutingRequest, classification: PromptClass
    ) -> [Candidate] {
        guard candidates.count > 1 else { return candidates }
        let inputs = CandidateRanker.Inputs(
            priority: request.priority,
            promptClass: classification,
            specialtyBoost: configuration.specialtyBoost,
            latency: { $0.runtime.ewmaLatency },
            lastUsed: { $0.resolved.usage.lastUsed.load(ordering: .relaxed) })
        return random.withLock { random in
            CandidateRanker.order(candidates, strategy: strategy, inputs: inputs, random: &random)
        }
    }

    func markUsed(_ candidate: Candidate) {
        let tick = useCounter.wrappingAdd(1, ordering: .relaxed).newValue
        candidate.resolved.usage.lastUsed.store(tick, ordering: .relaxed)
    }
}
