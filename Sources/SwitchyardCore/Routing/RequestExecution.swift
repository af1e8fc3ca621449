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
        let outcome: Result<Answer, RoutingError>
        do {
            outcome = .success(try await admitAndWalk())
        } catch {
            outcome = .failure(routingError(from: error))
        }
        return try await finish(outcome).get()
    }

    /// The single exit: settles the reservation at what was billed, records how the request ended, and waits until
    /// the ledger has it. A settlement or record that fails turns the outcome into `ledger_unavailable`.
    private mutating func finish(_ outcome: Result<Answer, RoutingError>) async -> Result<RoutedResponse, RoutingError> {
        var outcome = outcome
        if let reservation, let budget = router.budget {
            let cost = cost
            do {
                try await uncancelled { try await budget.settle(reservation, actualCost: cost) }
            } catch {
                outcome = .failure(
                    Self.ledgerUnavailable(
                        "the ledger could not settle request \(request.id) (\(error)); it is settled when it recovers"))
            }
        }
        let latency = start.duration(to: router.instant())
        let answer = try? outcome.get()
        let error = outcome.failure
        if isRecorded {
            let last = attempts.last
            router.emit(
                .requestFinished(
                    RequestFinished(
                        requestID: request.id, userID: request.userID, status: error?.status ?? .success,
                        provider: answer?.candidate.target.provider ?? last?.provider,
                        model: answer?.candidate.target.model ?? last?.model, usage: attempts.totalUsage, cost: cost,
                        latency: latency, errorCode: error?.code.rawValue, attempts: attempts.count,
                        escalated: escalated, at: router.now())))
            // When the ledger is what failed, its events stay queued for when it recovers: do not wait for them.
            if error?.code != .ledgerUnavailable {
                let sink = router.eventSink
                do {
                    try await uncancelled { try await sink.flush() }
                } catch {
                    outcome = .failure(
                        Self.ledgerUnavailable(
                            "request \(request.id) could not be recorded in the ledger yet (\(error)); its record is "
                                + "written when the ledger recovers"))
                }
            }
        }
        switch outcome {
        case .success(let answer):
            return .success(
                RoutedResponse(
                    requestID: request.id, route: route, provider: answer.candidate.target.provider,
                    model: answer.candidate.target.model, tier: answer.candidate.tier, response: answer.response,
                    cost: cost, attempts: attempts, escalated: escalated, classification: classification,
                    latency: latency))
        case .failure(var error):
            error.attempts = attempts
            return .failure(error)
        }
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

extension Result {
    fileprivate var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
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
