import struct Foundation.Date

/// The whole life of one request, with one owner: admit → walk tiers → call → settle → record.
///
/// A ``Router`` keeps the topology, the providers' runtimes and the operator controls; everything that belongs to
/// one request (its deadline, attempts, spend, reservation, whether a stream reached the client) lives here.
/// Every way a request can end (an answer, a routing error, the client leaving, the deadline, the ledger failing,
/// an error nobody foresaw) passes through ``run()``'s single exit, ``finish(_:)``: the only place where money is
/// settled and the request's outcome recorded.
struct RequestExecution<C: Clock> where C.Duration == Duration {
    typealias OnChunk = (RoutedChunk) async throws -> Void

    let router: Router<C>
    let request: RoutingRequest
    let onChunk: OnChunk?
    let start: RouterInstant
    let deadline: RouterInstant
    let classification: PromptClass
    /// The route's name once resolved (the requested model before).
    var route: String
    var attempts: [AttemptFinished] = []
    /// What every attempt so far is billed, together.
    var cost: MicroDollars = .zero
    var escalated = false
    /// Set once the first chunk of a stream went to the client: no failover after that.
    var delivered = false
    /// The money held for this request; grows (``BudgetStore/extend(_:by:)``) when a failover needs more.
    var reservation: BudgetReservation?
    /// The downgrade tier serving the request, once its budget made the route downgrade.
    var downgradedTo: String?
    /// Whether ``RequestReceived`` was emitted, so the request has a row to finish.
    var isRecorded = false

    init(router: Router<C>, request: RoutingRequest, onChunk: OnChunk?) {
        self.router = router
        self.request = request
        self.onChunk = onChunk
        self.start = router.instant()
        self.deadline = start.advanced(by: request.timeout ?? router.configuration.defaultTimeout)
        self.classification = router.configuration.classifier.classify(request.chat).promptClass
        self.route = request.model
    }

    /// Runs the request to its end and returns the answer, or throws the ``RoutingError`` it ended with.
    mutating func run() async throws -> RoutedResponse {
        var answer: Answer?
        var failure: RoutingError?
        do {
            answer = try await admitAndWalk()
        } catch {
            failure = routingError(from: error)
        }
        let latency = await finish(answer: answer, failure: &failure)
        if var failure {
            failure.attempts = attempts
            throw failure
        }
        let answered = answer!
        return RoutedResponse(
            requestID: request.id, route: route, provider: answered.candidate.target.provider,
            model: answered.candidate.target.model, tier: answered.candidate.tier, response: answered.response,
            cost: cost, attempts: attempts, escalated: escalated, classification: classification,
            latency: latency, budget: reservation?.tightestAfterSettling(at: cost), downgradedTo: downgradedTo)
    }

    /// The single exit: settles the reservation at what was billed, records how the request ended, and waits until
    /// the ledger has it. A settlement or record that fails sets `failure` to `ledger_unavailable`.
    /// - Returns: the request's latency, as recorded.
    private mutating func finish(answer: Answer?, failure: inout RoutingError?) async -> Duration {
        if let reservation, let budget = router.budget {
            let cost = cost
            do {
                try await uncancelled { try await budget.settle(reservation, actualCost: cost) }
            } catch {
                failure = Self.ledgerUnavailable(
                    "the ledger could not settle request \(request.id) (\(error)); it is settled when it recovers")
            }
        }
        let latency = start.duration(to: router.instant())
        guard isRecorded else { return latency }
        let last = attempts.last
        let served = answer?.candidate.target
        router.emit(
            .requestFinished(
                RequestFinished(
                    requestID: request.id, userID: request.userID, status: failure?.status ?? .success,
                    provider: served?.provider ?? last?.provider, model: served?.model ?? last?.model,
                    usage: attempts.totalUsage, cost: cost, latency: latency,
                    errorCode: failure?.code.rawValue, attempts: attempts.count, escalated: escalated,
                    at: router.now())))
        // When the ledger is what failed, its events stay queued for when it recovers: do not wait for them.
        guard failure?.code != .ledgerUnavailable else { return latency }
        let sink = router.eventSink
        do {
            try await uncancelled { try await sink.flush() }
        } catch {
            failure = Self.ledgerUnavailable(
                "request \(request.id) could not be recorded in the ledger yet (\(error)); its record is written "
                    + "when the ledger recovers")
        }
        return latency
    }

    /// Any error as the ``RoutingError`` the request ends with.
    private func routingError(from error: any Error) -> RoutingError {
        switch error {
        case let error as RoutingError: error
        case _ where Task.isCancelled || error is CancellationError:
            RoutingError(.cancelled, "the request was cancelled")
        default: RoutingError(.allProvidersFailed, "routing failed: \(error)")
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

    /// The request cannot be recorded (or money moved) now; the ledger recovers by itself. A client is asked to
    /// come back after a second (HTTP `Retry-After`).
    static func ledgerUnavailable(_ what: String) -> RoutingError {
        RoutingError(.ledgerUnavailable, "\(what); retry later", retryAfter: .seconds(1))
    }

    func deadlineError() -> RoutingError {
        RoutingError(
            .deadlineExceeded,
            "the request's deadline passed after \(attempts.count) attempt(s); raise timeout_ms or retry")
    }

    func skip(_ candidate: Candidate, _ reason: TargetSkipped.Reason) -> RouterEvent {
        .targetSkipped(
            TargetSkipped(
                requestID: request.id, tier: candidate.tier, provider: candidate.target.provider,
                model: candidate.target.model, reason: reason, at: router.now()))
    }
}

extension Array where Element == AttemptFinished {
    /// Tokens of every attempt together.
    var totalUsage: TokenUsage {
        reduce(into: TokenUsage.zero) { total, attempt in
            if let usage = attempt.usage { total = total + usage }
        }
    }
}
