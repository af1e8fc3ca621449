public import struct Foundation.Date

/// Everything the router does that someone may want to record, in the order it happens.
///
/// The ledger writes every event to SQLite; tests read them from ``InMemoryEventSink``. Times are wall-clock
/// `Date`s from the router's injected `now` function.
public enum RouterEvent: Sendable, Hashable {
    case requestReceived(RequestReceived)
    case attemptStarted(AttemptStarted)
    case attemptFinished(AttemptFinished)
    case breakerTransition(BreakerTransition)
    case escalated(Escalation)
    case targetSkipped(TargetSkipped)
    case queued(Queued)
    case downgraded(Downgraded)
    case requestFinished(RequestFinished)

    /// The client request the event belongs to; `nil` for breaker transitions, which belong to a provider.
    public var requestID: String? {
        switch self {
        case .requestReceived(let event): event.requestID
        case .attemptStarted(let event): event.requestID
        case .attemptFinished(let event): event.requestID
        case .breakerTransition: nil
        case .escalated(let event): event.requestID
        case .targetSkipped(let event): event.requestID
        case .queued(let event): event.requestID
        case .downgraded(let event): event.requestID
        case .requestFinished(let event): event.requestID
        }
    }
}

/// A client request entered the router.
public struct RequestReceived: Sendable, Hashable {
    public var requestID: String
    public var userID: String
    /// `api_keys.id` of the key the request presented, if any.
    public var keyID: String?
    /// The team of that key, if any.
    public var team: String?
    /// The route that serves it.
    public var route: String
    /// The `model` the client asked for (a route, `provider/model`, or a model name).
    public var requestedModel: String
    public var priority: RoutingPriority?
    public var classification: PromptClass
    public var stream: Bool
    public var at: Date

    public init(
        requestID: String, userID: String, route: String, requestedModel: String, priority: RoutingPriority?,
        classification: PromptClass, stream: Bool, at: Date, keyID: String? = nil, team: String? = nil
    ) {
        self.requestID = requestID
        self.userID = userID
        self.keyID = keyID
        self.team = team
        self.route = route
        self.requestedModel = requestedModel
        self.priority = priority
        self.classification = classification
        self.stream = stream
        self.at = at
    }
}

/// One call to one provider began.
public struct AttemptStarted: Sendable, Hashable {
    public var requestID: String
    /// 1-based position of the attempt within the request.
    public var seq: Int
    public var tier: String
    public var provider: String
    public var model: String
    /// `true` for the attempt made on the escalation target after an `[ESCALATE]` reply.
    public var isEscalation: Bool
    public var at: Date

    public init(
        requestID: String, seq: Int, tier: String, provider: String, model: String, isEscalation: Bool, at: Date
    ) {
        self.requestID = requestID
        self.seq = seq
        self.tier = tier
        self.provider = provider
        self.model = model
        self.isEscalation = isEscalation
        self.at = at
    }
}

/// How one provider call ended.
public struct AttemptOutcome: RawRepresentable, Sendable, Hashable, Codable, CustomStringConvertible {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }

    public static let success = AttemptOutcome(rawValue: "success")
    public static let error = AttemptOutcome(rawValue: "error")
    public static let timeout = AttemptOutcome(rawValue: "timeout")
    public static let rateLimited = AttemptOutcome(rawValue: "rate_limited")
    /// The reply asked for escalation; it was replaced by the escalation target's answer.
    public static let escalated = AttemptOutcome(rawValue: "escalated")
    public static let cancelled = AttemptOutcome(rawValue: "cancelled")
}

/// One call to one provider ended.
public struct AttemptFinished: Sendable, Hashable {
    public var requestID: String
    public var seq: Int
    public var tier: String
    public var provider: String
    public var model: String
    public var outcome: AttemptOutcome
    public var isEscalation: Bool
    public var httpStatus: Int?
    /// The ``ProviderError/Code`` raw value when the call failed.
    public var errorCode: String?
    public var errorMessage: String?
    public var usage: TokenUsage?
    /// What the call cost (zero when it failed before any usage).
    public var cost: MicroDollars
    /// The prices the call was billed at; `nil` when unknown.
    public var pricing: ModelPricing?
    public var latency: Duration
    public var startedAt: Date

    public init(
        requestID: String, seq: Int, tier: String, provider: String, model: String, outcome: AttemptOutcome,
        isEscalation: Bool, httpStatus: Int?, errorCode: String?, errorMessage: String?, usage: TokenUsage?,
        cost: MicroDollars, pricing: ModelPricing? = nil, latency: Duration, startedAt: Date
    ) {
        self.requestID = requestID
        self.seq = seq
        self.tier = tier
        self.provider = provider
        self.model = model
        self.outcome = outcome
        self.isEscalation = isEscalation
        self.httpStatus = httpStatus
        self.errorCode = errorCode
        self.errorMessage = errorMessage
        self.usage = usage
        self.cost = cost
        self.pricing = pricing
        self.latency = latency
        self.startedAt = startedAt
    }
}

/// A provider's circuit breaker changed state.
public struct BreakerTransition: Sendable, Hashable {
    public var provider: String
    public var from: BreakerState
    public var to: BreakerState
    /// Why, for people: "5 consecutive failures", "failure rate 60% over 20 calls", "recovery timeout elapsed".
    public var reason: String
    public var at: Date
    /// For a transition to `open`: when the breaker will let a probe through.
    public var openUntil: Date?

    public init(
        provider: String, from: BreakerState, to: BreakerState, reason: String, at: Date, openUntil: Date? = nil
    ) {
        self.provider = provider
        self.from = from
        self.to = to
        self.reason = reason
        self.at = at
        self.openUntil = openUntil
    }
}

/// A reply carried the escalation marker and the request moved to a stronger target.
public struct Escalation: Sendable, Hashable {
    public var requestID: String
    public var fromProvider: String
    public var fromModel: String
    public var toProvider: String
    public var toModel: String
    public var at: Date

    public init(
        requestID: String, fromProvider: String, fromModel: String, toProvider: String, toModel: String, at: Date
    ) {
        self.requestID = requestID
        self.fromProvider = fromProvider
        self.fromModel = fromModel
        self.toProvider = toProvider
        self.toModel = toModel
        self.at = at
    }
}

/// A request was served by its route's downgrade tier because its budget ran low (``BudgetDowngrade``).
public struct Downgraded: Sendable, Hashable {
    /// Why the route downgraded.
    public enum Reason: String, Sendable, Hashable, Codable {
        /// The remaining budget was below the route's threshold.
        case budgetLow = "budget_low"
        /// The route's worst case no longer fitted the budget; the tier's did.
        case budgetExceeded = "budget_exceeded"
    }

    public var requestID: String
    /// The tier that served the request.
    public var tier: String
    public var reason: Reason
    public var at: Date

    public init(requestID: String, tier: String, reason: Reason, at: Date) {
        self.requestID = requestID
        self.tier = tier
        self.reason = reason
        self.at = at
    }
}

/// A candidate was passed over without calling it.
public struct TargetSkipped: Sendable, Hashable {
    /// Why a target was not called.
    public enum Reason: String, Sendable, Hashable, Codable {
        case breakerOpen = "breaker_open"
        case rateLimited = "rate_limited"
        case concurrencyLimit = "concurrency_limit"
        case down
        case unhealthy
        case costCap = "cost_cap"
        /// The request's reservation could not be extended for this target's worst case (the user's budget).
        case budget
    }

    public var requestID: String
    public var tier: String
    public var provider: String
    public var model: String
    public var reason: Reason
    public var at: Date

    public init(requestID: String, tier: String, provider: String, model: String, reason: Reason, at: Date) {
        self.requestID = requestID
        self.tier = tier
        self.provider = provider
        self.model = model
        self.reason = reason
        self.at = at
    }
}

/// No candidate was available, so the request joined the wait queue.
public struct Queued: Sendable, Hashable {
    public var requestID: String
    /// Requests waiting, this one included.
    public var queueLength: Int
    public var at: Date

    public init(requestID: String, queueLength: Int, at: Date) {
        self.requestID = requestID
        self.queueLength = queueLength
        self.at = at
    }
}

/// The final status of a client request.
public struct RequestStatus: RawRepresentable, Sendable, Hashable, Codable, CustomStringConvertible {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }

    public static let success = RequestStatus(rawValue: "success")
    /// Every candidate failed.
    public static let failed = RequestStatus(rawValue: "failed")
    /// The user's budget could not cover the request's upper-bound cost; no provider was called.
    public static let rejectedBudget = RequestStatus(rawValue: "rejected_budget")
    /// Switchyard's own limits refused it (queue full).
    public static let rejectedRateLimit = RequestStatus(rawValue: "rejected_rate_limit")
    /// No candidate fits under the request's `max_cost_usd`.
    public static let rejectedCostCap = RequestStatus(rawValue: "rejected_cost_cap")
    /// No provider became available before the queue wait ended.
    public static let unavailable = RequestStatus(rawValue: "unavailable")
    /// The request's deadline passed.
    public static let timeout = RequestStatus(rawValue: "timeout")
    /// A provider rejected the request as invalid.
    public static let badRequest = RequestStatus(rawValue: "bad_request")
    /// The client went away.
    public static let cancelled = RequestStatus(rawValue: "cancelled")
    /// The ledger could not reserve, settle or record the request; the answer was withheld (HTTP 503).
    public static let ledgerUnavailable = RequestStatus(rawValue: "ledger_unavailable")
}

/// A client request left the router.
public struct RequestFinished: Sendable, Hashable {
    public var requestID: String
    public var userID: String
    public var status: RequestStatus
    /// The provider and model that answered (or were tried last).
    public var provider: String?
    public var model: String?
    public var usage: TokenUsage
    /// The total cost of every attempt of the request.
    public var cost: MicroDollars
    public var latency: Duration
    /// A ``RoutingError/Code`` raw value when the request did not succeed.
    public var errorCode: String?
    public var attempts: Int
    public var escalated: Bool
    public var at: Date

    public init(
        requestID: String, userID: String, status: RequestStatus, provider: String?, model: String?,
        usage: TokenUsage, cost: MicroDollars, latency: Duration, errorCode: String?, attempts: Int,
        escalated: Bool, at: Date
    ) {
        self.requestID = requestID
        self.userID = userID
        self.status = status
        self.provider = provider
        self.model = model
        self.usage = usage
        self.cost = cost
        self.latency = latency
        self.errorCode = errorCode
        self.attempts = attempts
        self.escalated = escalated
        self.at = at
    }
}
