/// A backend that answers chat requests: a simulated model, an OpenAI-compatible server, Anthropic, Gemini.
///
/// Implementations report every failure as a ``ProviderError`` so that the router, the ledger and the HTTP layer
/// all classify it the same way (retry it, fail over, or give up).
///
/// ```swift
/// let provider = SimulatedProvider(name: "local")
/// let reply = try await provider.chat(ChatRequest(model: "small", messages: [.user("hi")]), options: .init())
/// ```
public protocol LLMProvider: Sendable {
    /// Sends one request and waits for the whole answer.
    func chat(_ request: ChatRequest, options: ProviderCallOptions) async throws -> ChatResponse

    /// Sends one request and streams the answer.
    ///
    /// Errors before the answer starts (connection refused, an HTTP error status) are thrown from this call;
    /// errors after it started are thrown by the stream. The stream must end with a chunk that carries a finish
    /// reason; see ``ChatStreamChunk``.
    ///
    /// The stream must apply backpressure: it reads from upstream only as fast as the router asks for chunks, so a
    /// slow client never makes a provider buffer without bound. Time the consumer takes between chunks is not the
    /// provider's silence (its idle time-out counts only while a chunk is awaited).
    func streamChat(
        _ request: ChatRequest,
        options: ProviderCallOptions
    ) async throws -> AsyncThrowingStream<ChatStreamChunk, any Error>

    /// A cheap call that tells whether the provider answers at all (for example `GET /models`).
    ///
    /// Returns `false` when the provider has no probe; the health prober then leaves it as it is.
    func probe(options: ProviderCallOptions) async throws -> Bool
}

extension LLMProvider {
    public func probe(options: ProviderCallOptions) async throws -> Bool { false }
}

/// Per-call settings the router hands to a provider.
public struct ProviderCallOptions: Sendable, Hashable {
    /// Switchyard's id of the client request this call belongs to (for logs; never sent upstream as a secret).
    public var requestID: String
    /// The time left before the request's own deadline. When it passes before the provider's own time-outs, the
    /// provider gives up with ``ProviderError/Code/requestDeadline`` (not ``ProviderError/Code/timeout``, which
    /// means the provider was too slow by its own configured limits and counts against its breaker).
    public var timeout: Duration?

    public init(requestID: String = "", timeout: Duration? = nil) {
        self.requestID = requestID
        self.timeout = timeout
    }
}
