import struct Foundation.Date
import Synchronization

/// A candidate that answered.
struct Answer: Sendable {
    var candidate: Candidate
    var response: ChatResponse
}

extension Router {
    /// Walks the tiers until a candidate answers; waits in the queue when none is available.
    func walk(
        _ run: inout Run,
        tiers: [(Tier, [Candidate])],
        escalation: EscalationPolicy?,
        escalationTargets: [Candidate],
        onChunk: ((RoutedChunk) async throws -> Void)?
    ) async throws -> Answer {
        let marker = escalation?.marker ?? "[ESCALATE]"
        var inQueue = false
        var waitDeadline = run.deadline
        defer { if inQueue { queue.leave() } }

        while true {
            let generation = queue.generation
            var attempted = false
            var soonest: Duration?
            for (tier, candidates) in tiers {
                for candidate in order(candidates, strategy: tier.balance, run: run) {
                    let escalate = escalation != nil && !escalationTargets.isEmpty && !run.escalated
                    var filter = MarkerFilter(marker: marker, detectEscalation: escalate)
                    switch try await call(candidate, run: &run, isEscalation: false, filter: &filter, onChunk: onChunk) {
                    case .skipped(let wait):
                        if let wait { soonest = min(soonest ?? wait, wait) }
                    case .failed:
                        attempted = true
                    case .answered(var answer, let attemptIndex):
                        let wantsEscalation =
                            onChunk == nil
                            ? answer.response.content.map { MarkerFilter.contains(marker, in: $0) } == true
                            : filter.shouldEscalate
                        if escalate, wantsEscalation, !run.delivered {
                            run.attempts[attemptIndex].outcome = .escalated
                            emit(.attemptFinished(run.attempts[attemptIndex]))
                            run.escalated = true
                            if let stronger = try await escalateRequest(
                                &run, from: candidate, targets: escalationTargets, marker: marker, onChunk: onChunk)
                            {
                                return stronger
                            }
                            // No stronger model answered: keep the first answer, without its marker.
                            if let onChunk {
                                try await deliver(answer, onChunk: onChunk, marker: marker, run: &run)
                            }
                        } else {
                            emit(.attemptFinished(run.attempts[attemptIndex]))
                        }
                        if let content = answer.response.content {
                            answer.response.content = MarkerFilter.strip(marker, from: content)
                        }
                        return answer
                    }
                    if instant() >= run.deadline { throw deadlineError(run) }
                }
            }
            if attempted {
                throw RoutingError(
                    .allProvidersFailed,
                    "every provider of route '\(run.route)' failed (\(run.attempts.count) attempt(s)); "
                        + "see the attempts for each error")
            }

            // Nothing could be called: wait in the bounded queue for a provider to come back.
            let retryAfter = soonest ?? configuration.queue.maxWait
            guard configuration.queue.maxLength > 0 else { throw unavailableError(run, retryAfter: retryAfter) }
            if !inQueue {
                guard let length = queue.enter() else {
                    throw RoutingError(
                        .queueFull,
                        "no provider is available and \(queue.maxLength) requests are already waiting; retry later",
                        retryAfter: retryAfter)
                }
                inQueue = true
                waitDeadline = min(run.deadline, instant().advanced(by: configuration.queue.maxWait))
                emit(.queued(Queued(requestID: run.request.id, queueLength: length, at: now())))
            }
            let current = instant()
            guard current < waitDeadline else {
                if current >= run.deadline { throw deadlineError(run) }
                throw unavailableError(run, retryAfter: retryAfter)
            }
            let wakeAt = soonest.map { min(current.advanced(by: max($0, .milliseconds(1))), waitDeadline) } ?? waitDeadline
            await queue.wait(until: clockInstant(wakeAt), clock: clock, afterGeneration: generation)
            if Task.isCancelled { throw RoutingError(.cancelled, "the request was cancelled while queued") }
        }
    }

    /// Tries the escalation targets in order; `nil` when none answered.
    private func escalateRequest(
        _ run: inout Run,
        from: Candidate,
        targets: [Candidate],
        marker: String,
        onChunk: ((RoutedChunk) async throws -> Void)?
    ) async throws -> Answer? {
        var announced = false
        for target in targets {
            if !announced {
                emit(
                    .escalated(
                        Escalation(
                            requestID: run.request.id, fromProvider: from.target.provider, fromModel: from.target.model,
                            toProvider: target.target.provider, toModel: target.target.model, at: now())))
                announced = true
            }
            var filter = MarkerFilter(marker: marker, detectEscalation: false)
            if case .answered(var answer, let index) = try await call(
                target, run: &run, isEscalation: true, filter: &filter, onChunk: onChunk)
            {
                emit(.attemptFinished(run.attempts[index]))
                if let content = answer.response.content {
                    answer.response.content = MarkerFilter.strip(marker, from: content)
                }
                return answer
            }
        }
        return nil
    }

    /// Sends a whole answer that was held back (the fallback after a failed escalation) as stream chunks.
    private func deliver(
        _ answer: Answer,
        onChunk: (RoutedChunk) async throws -> Void,
        marker: String,
        run: inout Run
    ) async throws {
        run.delivered = true
        let response = answer.response
        let text = response.content.map { MarkerFilter.strip(marker, from: $0) }
        do {
            try await onChunk(
                RoutedChunk(
                    chunk: ChatStreamChunk(contentDelta: text, finishReason: response.finishReason, usage: response.usage),
                    provider: answer.candidate.target.provider, model: answer.candidate.target.model))
        } catch {
            throw RoutingError(.cancelled, "the client stopped reading the stream")
        }
    }

    private func order(_ candidates: [Candidate], strategy: BalanceStrategy, run: Run) -> [Candidate] {
        guard candidates.count > 1 else { return candidates }
        let inputs = CandidateRanker.Inputs(
            priority: run.request.priority,
            promptClass: run.classification,
            specialtyBoost: configuration.specialtyBoost,
            latency: { $0.runtime.ewmaLatency },
            lastUsed: { $0.resolved.usage.lastUsed.load(ordering: .relaxed) })
        return random.withLock { random in
            CandidateRanker.order(candidates, strategy: strategy, inputs: inputs, random: &random)
        }
    }

    func deadlineError(_ run: Run) -> RoutingError {
        RoutingError(
            .deadlineExceeded,
            "the request's deadline passed after \(run.attempts.count) attempt(s); raise timeout_ms or retry")
    }

    private func unavailableError(_ run: Run, retryAfter: Duration) -> RoutingError {
        RoutingError(
            .unavailable,
            "all providers of route '\(run.route)' are unavailable (circuit open, rate limited or down); "
                + "retry after \(CandidateRanker.seconds(retryAfter).rounded(.up)) s",
            retryAfter: retryAfter)
    }
}
