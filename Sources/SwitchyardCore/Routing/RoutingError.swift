/// Why the router could not answer a request. Each code maps to one HTTP status in the service.
public struct RoutingError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A stable, machine-readable reason.
    public struct Code: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// The requested model names no route, provider model or known model (HTTP 404).
        public static let unknownModel = Code(rawValue: "unknown_model")
        /// The user's budget cannot cover the request (HTTP 402).
        public static let budgetExceeded = Code(rawValue: "budget_exceeded")
        /// No candidate's upper-bound cost fits `max_cost_usd` (HTTP 400).
        public static let costCapExceeded = Code(rawValue: "cost_cap_exceeded")
        /// Every candidate was tried and failed (HTTP 502).
        public static let allProvidersFailed = Code(rawValue: "all_providers_failed")
        /// No candidate became available before the queue wait ended (HTTP 503 with Retry-After).
        public static let unavailable = Code(rawValue: "all_providers_unavailable")
        /// The wait queue is full (HTTP 429 with Retry-After).
        public static let queueFull = Code(rawValue: "queue_full")
        /// The request's deadline passed (HTTP 504).
        public static let deadlineExceeded = Code(rawValue: "deadline_exceeded")
        /// A provider rejected the request as invalid (HTTP 400).
        public static let badRequest = Code(rawValue: "bad_request")
        /// A streamed answer broke after it had started; the client has a partial answer (HTTP: SSE error event).
        public static let streamInterrupted = Code(rawValue: "stream_interrupted")
        /// The client went away.
        public static let cancelled = Code(rawValue: "cancelled")
        /// The ledger cannot record requests now (a lock, a full disk, a backlog): no provider was called
        /// (HTTP 503 with Retry-After). The ledger recovers by itself when the cause goes away.
        public static let ledgerUnavailable = Code(rawValue: "ledger_unavailable")
        /// The model asked to escalate, and every escalation target failed; a streamed answer cannot fall back to
        /// the first model's text, which stopped at the marker (HTTP 502).
        public static let escalationFailed = Code(rawValue: "escalation_failed")
    }

    public var code: Code
    /// What happened and what to do about it.
    public var message: String
    /// When trying again makes sense.
    public var retryAfter: Duration?
    /// The calls made before giving up.
    public var attempts: [AttemptFinished]
    /// For ``Code/budgetExceeded``: the limit that refused and its figures.
    public var budget: BudgetExceededError?

    init(
        _ code: Code,
        _ message: String,
        retryAfter: Duration? = nil,
        attempts: [AttemptFinished] = [],
        budget: BudgetExceededError? = nil
    ) {
        self.code = code
        self.message = message
        self.retryAfter = retryAfter
        self.attempts = attempts
        self.budget = budget
    }

    /// The ``RequestStatus`` recorded in the ledger for this error.
    public var status: RequestStatus {
        switch code {
        case .budgetExceeded: .rejectedBudget
        case .costCapExceeded: .rejectedCostCap
        case .queueFull: .rejectedRateLimit
        case .unavailable: .unavailable
        case .deadlineExceeded: .timeout
        case .badRequest, .unknownModel: .badRequest
        case .cancelled: .cancelled
        case .ledgerUnavailable: .ledgerUnavailable
        default: .failed
        }
    }

    public var description: String { "\(code): \(message)" }
}
