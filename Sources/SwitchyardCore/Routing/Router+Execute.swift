import struct Foundation.Date
import Synchronization

/// What one request carries through the walk.
struct RequestRun<Instant: InstantProtocol>: Sendable {
    var request: RoutingRequest
    var route: String
    var classification: PromptClass
    var deadline: Instant
    var attempts: [AttemptFinished] = []
    var cost: MicroDollars = .zero
    var escalated = false
    /// Set once the first chunk of a stream went to the client: no failover after that.
    var delivered = false
}

extension Router {
    /// The whole life of one request: resolve, admit, walk, settle, record.
    func execute(
        _ request: RoutingRequest,
        onChunk: ((RoutedChunk) async throws -> Void)?
    ) async throws -> RoutedResponse {
        let start = instant()
        let deadline = start.advanced(by: request.timeout ?? configuration.defaultTimeout)
        let classification = configuration.classifier.classify(request.chat).promptClass
        var run = Run(
            request: request, route: request.model, classification: classification, deadline: deadline)

        let resolvedRoute: ResolvedRoute
        do {
            resolvedRoute = try resolved(model: request.model)
        } catch let error as RoutingError {
            emitReceived(run, stream: onChunk != nil)
            try await fail(&run, error, start: start, reservation: nil)
        }
        let route = resolvedRoute.route
        run.route = route.name
        emitReceived(run, stream: onChunk != nil)

        // Admission: price every candidate, drop those over the cost cap, reserve the worst case.
        let pricing = RequestPricing(request.chat)
        var tiers = resolvedRoute.tiers.map { tier, targets in
            (tier, targets.map { candidate(for: $0, tier: tier.name, pricing: pricing) })
        }
        var escalationTargets = resolvedRoute.escalation.map {
            candidate(for: $0, tier: "escalation", pricing: pricing)
        }
        if let cap = request.maxCost {
            var cheapest: MicroDollars?
            for index in tiers.indices {
                tiers[index].1.removeAll { candidate in
                    guard candidate.upperBoundCost > cap else { return false }
                    cheapest = min(cheapest ?? candidate.upperBoundCost, candidate.upperBoundCost)
                    emit(.targetSkipped(skip(run, candidate, .costCap)))
                    return true
                }
            }
            escalationTargets.removeAll { $0.upperBoundCost > cap }
            if tiers.allSatisfy({ $0.1.isEmpty }) {
                let needed = cheapest.map { " (the cheapest needs up to \($0))" } ?? ""
                let error = RoutingError(
                    .costCapExceeded,
                    "no provider of route '\(route.name)' fits max_cost_usd \(cap)\(needed); raise the cap or "
                        + "lower max_tokens")
                try await fail(&run, error, start: start, reservation: nil)
            }
        }
        let reserveAmount =
            (tiers.flatMap(\.1).map(\.upperBoundCost).max() ?? .zero)
            + (escalationTargets.map(\.upperBoundCost).max() ?? .zero)

        var reservation: BudgetReservation?
        if let budget {
            do {
                reservation = try await budget.reserve(
                    userID: request.userID, requestID: request.id, amount: reserveAmount)
            } catch let error as BudgetExceededError {
                let routingError = RoutingError(
                    .budgetExceeded,
                    "user '\(request.userID)' has \(error.status.remaining) left of a \(error.status.limit) budget; "
                        + "this request may cost up to \(reserveAmount)",
                    budget: error)
                try await fail(&run, routingError, start: start, reservation: nil)
            }
        }

        do {
            let answer = try await walk(
                &run, tiers: tiers, escalation: route.escalation, escalationTargets: escalationTargets,
                onChunk: onChunk)
            try await settle(reservation, cost: run.cost)
            let latency = start.duration(to: instant())
            emit(
                .requestFinished(
                    RequestFinished(
                        requestID: request.id, userID: request.userID, status: .success,
                        provider: answer.candidate.target.provider, model: answer.candidate.target.model,
                        usage: run.attempts.totalUsage, cost: run.cost, latency: latency, errorCode: nil,
                        attempts: run.attempts.count, escalated: run.escalated, at: now())))
            try await flushEvents()
            return RoutedResponse(
                requestID: request.id, route: route.name, provider: answer.candidate.target.provider,
                model: answer.candidate.target.model, tier: answer.candidate.tier, response: answer.response,
                cost: run.cost, attempts: run.attempts, escalated: run.escalated, classification: classification,
                latency: latency)
        } catch let error as RoutingError {
            try await fail(&run, error, start: start, reservation: reservation)
        } catch {
            let routingError =
                Task.isCancelled || error is CancellationError
                ? RoutingError(.cancelled, "the request was cancelled")
                : RoutingError(.allProvidersFailed, "routing failed: \(error)")
            try await fail(&run, routingError, start: start, reservation: reservation)
        }
    }

    /// Records a request that ends in `error`, settles what it spent, and throws the error.
    private func fail(
        _ run: inout Run,
        _ error: RoutingError,
        start: RouterInstant,
        reservation: BudgetReservation?
    ) async throws -> Never {
        var error = error
        error.attempts = run.attempts
        try await settle(reservation, cost: run.cost)
        let last = run.attempts.last
        emit(
            .requestFinished(
                RequestFinished(
                    requestID: run.request.id, userID: run.request.userID, status: error.status,
                    provider: last?.provider, model: last?.model, usage: run.attempts.totalUsage, cost: run.cost,
                    latency: start.duration(to: instant()), errorCode: error.code.rawValue,
                    attempts: run.attempts.count, escalated: run.escalated, at: now())))
        try await flushEvents()
        throw error
    }

    private func emitReceived(_ run: Run, stream: Bool) {
        emit(
            .requestReceived(
                RequestReceived(
                    requestID: run.request.id, userID: run.request.userID, route: run.route,
                    requestedModel: run.request.model, priority: run.request.priority,
                    classification: run.classification, stream: stream, at: now())))
    }

    /// Settles the reservation even when the request's task was cancelled: spend must never go unrecorded.
    private func settle(_ reservation: BudgetReservation?, cost: MicroDollars) async throws {
        guard let reservation, let budget else { return }
        do {
            try await uncancelled { try await budget.settle(reservation, actualCost: cost) }
        } catch {
            throw RoutingError(.recordingFailed, "could not settle the budget of request \(reservation.requestID): \(error)")
        }
    }

    private func flushEvents() async throws {
        do {
            try await uncancelled { try await self.eventSink.flush() }
        } catch {
            throw RoutingError(.recordingFailed, "could not record the request in the ledger: \(error)")
        }
    }

    /// Runs bookkeeping to its end even if the current task is cancelled.
    private func uncancelled(_ work: @escaping @Sendable () async throws -> Void) async throws {
        if Task.isCancelled {
            try await Task { try await work() }.value
        } else {
            try await work()
        }
    }

    func emit(_ event: RouterEvent) {
        eventSink.emit(event)
    }

    func skip(_ run: Run, _ candidate: Candidate, _ reason: TargetSkipped.Reason) -> TargetSkipped {
        TargetSkipped(
            requestID: run.request.id, tier: candidate.tier, provider: candidate.target.provider,
            model: candidate.target.model, reason: reason, at: now())
    }

    /// Reports a breaker change as an event.
    func report(_ change: CircuitBreaker<RouterInstant>.Change?, provider: String) {
        guard let change else { return }
        let at = now()
        emit(
            .breakerTransition(
                BreakerTransition(
                    provider: provider, from: change.from, to: change.to, reason: change.reason, at: at,
                    openUntil: change.openFor.map { at.addingTimeInterval(CandidateRanker.seconds($0)) })))
    }

    private func candidate(for target: ResolvedTarget, tier: String, pricing: RequestPricing) -> Candidate {
        let model = target.model
        let maxTokens = min(max(pricing.requestedMaxTokens ?? model.maxOutputTokens, 1), model.maxOutputTokens)
        return Candidate(
            tier: tier, resolved: target,
            expectedCost: model.pricing.cost(
                promptTokens: pricing.expectedPromptTokens, completionTokens: min(maxTokens, 512)),
            upperBoundCost: model.pricing.cost(promptTokens: pricing.upperBoundPromptTokens, completionTokens: maxTokens),
            maxTokens: maxTokens)
    }

    typealias Run = RequestRun<RouterInstant>
}

/// Token counts of a request, computed once.
struct RequestPricing {
    var expectedPromptTokens: Int
    var upperBoundPromptTokens: Int
    var requestedMaxTokens: Int?

    init(_ chat: ChatRequest) {
        expectedPromptTokens = TokenEstimator.expectedPromptTokens(chat)
        upperBoundPromptTokens = TokenEstimator.upperBoundPromptTokens(chat)
        requestedMaxTokens = chat.maxTokens
    }
}

extension Array where Element == AttemptFinished {
    /// Tokens of every attempt together.
    var totalUsage: TokenUsage {
        reduce(into: TokenUsage.zero) { total, attempt in
            guard let usage = attempt.usage else { return }
            total.promptTokens += usage.promptTokens
            total.completionTokens += usage.completionTokens
            total.isEstimated = total.isEstimated || usage.isEstimated
        }
    }
}
