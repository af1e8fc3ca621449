/// A candidate that answered.
struct Answer: Sendable {
    var candidate: Candidate
    var response: ChatResponse
    /// `false` for a stream that was stopped at the escalation marker: its text is cut short.
    var isComplete = true
}

extension RequestExecution {
    /// Walks the tiers until a candidate answers; waits in the queue when none is available.
    mutating func walk(
        tiers: [(Tier, [Candidate])],
        escalation: EscalationPolicy?,
        escalationTargets: [Candidate]
    ) async throws -> Answer {
        let marker = escalation?.marker ?? "[ESCALATE]"
        let queue = router.queue
        var inQueue = false
        var waitDeadline = deadline
        defer { if inQueue { queue.leave() } }

        while true {
            let generation = queue.generation
            var attempted = false
            var soonest: Duration?
            for (tier, candidates) in tiers {
                for candidate in router.order(candidates, strategy: tier.balance, request: request, classification: classification) {
                    let escalate = escalation != nil && !escalationTargets.isEmpty && !escalated
                    var filter = MarkerFilter(marker: marker, detectEscalation: escalate)
                    switch try await call(candidate, isEscalation: false, filter: &filter) {
                    case .skipped(let wait):
                        if let wait { soonest = min(soonest ?? wait, wait) }
                    case .failed:
                        attempted = true
                    case .answered(var answer, let attemptIndex):
                        let wantsEscalation =
                            onChunk == nil
                            ? answer.response.content.map { MarkerFilter.contains(marker, in: $0) } == true
                            : filter.shouldEscalate
                        if escalate, wantsEscalation, !delivered {
                            attempts[attemptIndex].outcome = .escalated
                            router.emit(.attemptFinished(attempts[attemptIndex]))
                            escalated = true
                            if let stronger = try await escalateRequest(
                                from: candidate, targets: escalationTargets, marker: marker)
                            {
                                return stronger
                            }
                            // No stronger model answered: keep the first answer, without its marker, if it is whole.
                            if let onChunk {
                                guard answer.isComplete else {
                                    throw RoutingError(
                                        .escalationFailed,
                                        "\(candidate.target) asked to escalate and no escalation target answered "
                                            + "(\(attempts.count) attempt(s)); see the attempts for each error")
                                }
                                try await deliver(answer, onChunk: onChunk, marker: marker)
                            }
                        } else {
                            router.emit(.attemptFinished(attempts[attemptIndex]))
                        }
                        if let content = answer.response.content {
                            answer.response.content = MarkerFilter.strip(marker, from: content)
                        }
                        return answer
                    }
                    if router.instant() >= deadline { throw deadlineError() }
                }
            }
            if attempted {
                throw RoutingError(
                    .allProvidersFailed,
                    "every provider of route '\(route)' failed (\(attempts.count) attempt(s)); "
                        + "see the attempts for each error")
            }

            // Nothing could be called: wait in the bounded queue for a provider to come back.
            let configuration = router.configuration.queue
            let retryAfter = soonest ?? configuration.maxWait
            guard configuration.maxLength > 0 else { throw unavailableError(retryAfter: retryAfter) }
            if !inQueue {
                guard let length = queue.enter() else {
                    throw RoutingError(
                        .queueFull,
                        "no provider is available and \(queue.maxLength) requests are already waiting; retry later",
                        retryAfter: retryAfter)
                }
                inQueue = true
                waitDeadline = min(deadline, router.instant().advanced(by: configuration.maxWait))
                router.emit(.queued(Queued(requestID: request.id, queueLength: length, at: router.now())))
            }
            let current = router.instant()
            guard current < waitDeadline else {
                if current >= deadline { throw deadlineError() }
                throw unavailableError(retryAfter: retryAfter)
            }
            let wakeAt = soonest.map { min(current.advanced(by: max($0, .milliseconds(1))), waitDeadline) } ?? waitDeadline
            await queue.wait(until: router.clockInstant(wakeAt), clock: router.clock, afterGeneration: generation)
            if Task.isCancelled { throw RoutingError(.cancelled, "the request was cancelled while queued") }
        }
    }

    /// Tries the escalation targets in order; `nil` when none answered.
    private mutating func escalateRequest(from: Candidate, targets: [Candidate], marker: String) async throws -> Answer? {
        var announced = false
        for target in targets {
            if !announced {
                router.emit(
                    .escalated(
                        Escalation(
                            requestID: request.id, fromProvider: from.target.provider, fromModel: from.target.model,
                            toProvider: target.target.provider, toModel: target.target.model, at: router.now())))
                announced = true
            }
            var filter = MarkerFilter(marker: marker, detectEscalation: false)
            if case .answered(var answer, let index) = try await call(target, isEscalation: true, filter: &filter) {
                router.emit(.attemptFinished(attempts[index]))
                if let content = answer.response.content {
                    answer.response.content = MarkerFilter.strip(marker, from: content)
                }
                return answer
            }
        }
        return nil
    }

    /// Sends a whole answer that was held back (the fallback after a failed escalation) as one stream chunk.
    private mutating func deliver(_ answer: Answer, onChunk: OnChunk, marker: String) async throws {
        delivered = true
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

    private func unavailableError(retryAfter: Duration) -> RoutingError {
        RoutingError(
            .unavailable,
            "all providers of route '\(route)' are unavailable (circuit open, rate limited or down); "
                + "retry after \(retryAfter.inSeconds.rounded(.up)) s",
            retryAfter: retryAfter)
    }
}
