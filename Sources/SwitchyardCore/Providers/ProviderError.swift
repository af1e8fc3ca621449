/// A failure of one provider call, classified once so every layer decides the same way.
///
/// - ``isRetryable``: worth calling the **same** target again after a backoff (time-outs, connection failures,
///   5xx, 429, malformed or cut replies).
/// - ``countsAsBreakerFailure``: a sign the provider is unhealthy (not a client mistake, not a rate limit).
/// - ``stopsFailover``: the request itself is wrong (400), so no other provider will take it either.
/// - ``mayHaveBilled``: the request may have reached the provider, which may bill it although no usage came back.
public struct ProviderError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A stable, machine-readable error code (also stored in the ledger's `attempts.error`).
    public struct Code: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// No answer in time (connect, first byte, between chunks, or overall deadline).
        public static let timeout = Code(rawValue: "timeout")
        /// Could not connect, or the connection broke before an answer.
        public static let connectionFailed = Code(rawValue: "connection_failed")
        /// HTTP 5xx.
        public static let serverError = Code(rawValue: "server_error")
        /// HTTP 429; see ``ProviderError/retryAfter``.
        public static let rateLimited = Code(rawValue: "rate_limited")
        /// HTTP 400 and other client errors: the request is invalid.
        public static let badRequest = Code(rawValue: "bad_request")
        /// The prompt does not fit the model's context window.
        public static let contextLengthExceeded = Code(rawValue: "context_length_exceeded")
        /// HTTP 401/403: missing or wrong credentials for the provider.
        public static let authentication = Code(rawValue: "authentication")
        /// HTTP 404: unknown model or endpoint at the provider.
        public static let notFound = Code(rawValue: "not_found")
        /// The provider answered something that is not its API's shape (bad or truncated JSON).
        public static let malformedResponse = Code(rawValue: "malformed_response")
        /// A stream that stopped before its end.
        public static let streamInterrupted = Code(rawValue: "stream_interrupted")
        /// The provider was forced down by an operator (or is simulated as down).
        public static let providerDown = Code(rawValue: "provider_down")
        /// The call was cancelled (the client went away, or the router stopped the call).
        public static let cancelled = Code(rawValue: "cancelled")
        /// The request's own deadline (``ProviderCallOptions/timeout``) passed before the call ended: the client's
        /// choice, never a sign the provider is unhealthy.
        public static let requestDeadline = Code(rawValue: "request_deadline")
        /// The provider cannot serve anyone on this account: no credit or quota (Anthropic's 402 `billing_error`,
        /// OpenAI's 429 `insufficient_quota`), a billing or region precondition (Gemini's 400
        /// `FAILED_PRECONDITION`). Fails over and counts against the breaker; retrying the same target is useless.
        public static let accountUnavailable = Code(rawValue: "account_unavailable")
    }

    public var code: Code
    /// What happened, safe to show a user and to store: never contains credentials.
    public var message: String
    /// The upstream HTTP status, when there was one.
    public var httpStatus: Int?
    /// How long the provider asked us to wait (HTTP `Retry-After`), already capped by whoever parsed it.
    public var retryAfter: Duration?
    /// The request may have reached the provider, which may bill it, although no usage came back: the call's
    /// outcome upstream is unknown. The router then bills the attempt by its documented rule (docs/ledger.md).
    ///
    /// Unless given, `true` for failures without an HTTP status after which the provider may have worked on the
    /// request (time-outs, cancellation, a cut stream, an unreadable answer), `false` otherwise (an error status,
    /// a connection that never opened).
    public var mayHaveBilled: Bool

    public init(
        _ code: Code, _ message: String, httpStatus: Int? = nil, retryAfter: Duration? = nil,
        mayHaveBilled: Bool? = nil
    ) {
        self.code = code
        self.message = message
        self.httpStatus = httpStatus
        self.retryAfter = retryAfter
        self.mayHaveBilled = mayHaveBilled ?? Self.mayHaveBilledByDefault(code: code, httpStatus: httpStatus)
    }

    private static func mayHaveBilledByDefault(code: Code, httpStatus: Int?) -> Bool {
        guard httpStatus == nil else { return false }
        switch code {
        case .timeout, .requestDeadline, .cancelled, .streamInterrupted, .malformedResponse: return true
        default: return false
        }
    }

    /// Classifies an HTTP error status.
    public static func http(status: Int, message: String, retryAfter: Duration? = nil) -> ProviderError {
        let code: Code
        switch status {
        case 429: code = .rateLimited
        case 401, 403: code = .authentication
        case 404: code = .notFound
        case 408: code = .timeout
        case 413: code = .contextLengthExceeded
        case 500...599: code = .serverError
        default: code = .badRequest
        }
        return ProviderError(code, message, httpStatus: status, retryAfter: retryAfter)
    }

    /// Worth calling the same target again after a backoff.
    public var isRetryable: Bool {
        switch code {
        case .timeout, .connectionFailed, .serverError, .rateLimited, .malformedResponse, .streamInterrupted:
            return true
        default:
            return false
        }
    }

    /// Counts towards opening the provider's circuit breaker.
    public var countsAsBreakerFailure: Bool {
        switch code {
        case .timeout, .connectionFailed, .serverError, .malformedResponse, .streamInterrupted, .authentication,
            .accountUnavailable:
            return true
        default:
            return false
        }
    }

    /// The request itself is invalid, or its client is gone or out of time: no other provider is tried.
    public var stopsFailover: Bool { code == .badRequest || code == .cancelled || code == .requestDeadline }

    public var description: String {
        var text = "\(code): \(message)"
        if let httpStatus { text += " (HTTP \(httpStatus))" }
        return text
    }
}
