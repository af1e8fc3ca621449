/// What the router knows about one provider: its models and prices, quality, specialties and resilience settings.
///
/// The provider's implementation (``LLMProvider``) is handed to the router separately, under the same name.
public struct ProviderProfile: Sendable, Hashable {
    public var name: String
    /// Quality score in 0...1 used by the `quality` priority. Default 0.5.
    public var quality: Double
    /// Prompt classes this provider is good at; matching requests get a boost.
    public var specialties: Set<PromptClass>
    public var models: [ModelProfile]
    /// Latency assumed until calls are observed, for the `speed` priority and `latency` balancing. Default 1 s.
    public var expectedLatency: Duration
    public var retry: RetryPolicy
    public var circuitBreaker: CircuitBreakerConfiguration
    public var rateLimit: RateLimitConfiguration

    public init(
        name: String,
        quality: Double = 0.5,
        specialties: Set<PromptClass> = [],
        models: [ModelProfile],
        expectedLatency: Duration = .seconds(1),
        retry: RetryPolicy = RetryPolicy(),
        circuitBreaker: CircuitBreakerConfiguration = CircuitBreakerConfiguration(),
        rateLimit: RateLimitConfiguration = .unlimited
    ) {
        self.name = name
        self.quality = quality
        self.specialties = specialties
        self.models = models
        self.expectedLatency = expectedLatency
        self.retry = retry
        self.circuitBreaker = circuitBreaker
        self.rateLimit = rateLimit
    }

    /// The profile of one of this provider's models.
    public func model(named name: String) -> ModelProfile? { models.first { $0.name == name } }
}

/// One model a provider serves.
public struct ModelProfile: Sendable, Hashable {
    public var name: String
    public var pricing: ModelPricing
    /// The most completion tokens a call may ask for; also the reservation bound when the client sets none.
    /// Default 1024.
    public var maxOutputTokens: Int

    public init(name: String, pricing: ModelPricing = .free, maxOutputTokens: Int = 1024) {
        self.name = name
        self.pricing = pricing
        self.maxOutputTokens = maxOutputTokens
    }
}
