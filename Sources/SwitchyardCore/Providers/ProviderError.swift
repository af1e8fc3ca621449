/// A failure of one provider call, classified once so every layer decides the same way.
///
/// - ``isRetryable``: worth calling the **same** target again after a backoff (time-outs, connection failures,
///   5xx, 429, malformed or cut replies).
/// - ``countsAsBreakerFailure``: a sign the provider is unhealthy (not a client mistake, not a rate limit).
/// - ``stopsFailover``: the request itself is wrong (400), so no other provider will take it either.
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
        /// The call was cancelled (client went away, deadline of the whole request).
        public static let cancelled = Code(rawValue: "cancelled")
    }

    public var code: Code
    /// What happened, safe to show a user and to store: never contains credentials.
    public var message: String
    /// The upstream HTTP status, when there was one.
    public var httpStatus: Int?
    /// How long the provider asked us to wait (HTTP `Retry-After`).
    public var retryAfter: Duration?

    public init(_ code: Code, _ message: String, httpStatus: Int? = nil, retryAfter: Duration? = nil) {
        self.code = code
        self.message = message
        self.httpStatus = httpStatus
        self.retryAfter = retryAfter
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
        case .timeout, .connectionFailed, .serverError, .malformedResponse, .streamInterrupted, .authentication:
            return true
        default:
            return false
        }
    }

    /// The request itself is invalid: no other provider is tried.
    public var stopsFailover: Bool { code == .badRequest || code == .cancelled }

    public var description: String {
        var text = "\(code): \(message)"
        if let httpStatus { text += " (HTTP \(httpStatus))" }
        return text
    }
}
