/// Everything the router needs to decide: providers, routes and the queue. Validated by ``Router`` at start.
public struct RouterConfiguration: Sendable, Hashable {
    public var providers: [ProviderProfile]
    public var routes: [Route]
    /// The route used when a request names none (the simple API, an empty `model`). Default: the first route.
    public var defaultRoute: String?
    public var queue: QueueConfiguration
    /// Added to a candidate's score when its provider's specialties include the prompt's class. Default 0.25.
    public var specialtyBoost: Double
    /// Deadline of a request that sets none: every attempt, failover, queue wait and streaming together. Default
    /// 10 minutes, longer than a provider call's own `total` time-out (5 minutes), so each of those acts.
    public var defaultTimeout: Duration
    /// Weight of the newest observation in the latency EWMA. Default 0.2.
    public var latencyEWMAWeight: Double
    public var classifier: PromptClassifier

    public init(
        providers: [ProviderProfile],
        routes: [Route],
        defaultRoute: String? = nil,
        queue: QueueConfiguration = QueueConfiguration(),
        specialtyBoost: Double = 0.25,
        defaultTimeout: Duration = .seconds(600),
        latencyEWMAWeight: Double = 0.2,
        classifier: PromptClassifier = PromptClassifier()
    ) {
        self.providers = providers
        self.routes = routes
        self.defaultRoute = defaultRoute
        self.queue = queue
        self.specialtyBoost = specialtyBoost
        self.defaultTimeout = defaultTimeout
        self.latencyEWMAWeight = latencyEWMAWeight
        self.classifier = classifier
    }
}

/// The bounded wait when no provider is available.
public struct QueueConfiguration: Sendable, Hashable {
    /// Requests that may wait at once; more are refused at once. Default 100. Zero disables waiting.
    public var maxLength: Int
    /// The longest a request waits for a provider. Default 10 s (and never past the request's deadline).
    public var maxWait: Duration

    public init(maxLength: Int = 100, maxWait: Duration = .seconds(10)) {
        self.maxLength = maxLength
        self.maxWait = maxWait
    }
}
