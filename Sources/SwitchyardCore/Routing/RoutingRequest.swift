/// A client request handed to the router.
public struct RoutingRequest: Sendable, Hashable {
    /// Switchyard's id of the request, returned to the client and used as the ledger key.
    public var id: String
    /// Whose budget pays: the end user.
    public var userID: String
    /// `api_keys.id` of the key the request presented, whose budget also pays; `nil` without a key.
    public var keyID: String?
    /// The team of that key, whose budget also pays.
    public var team: String?
    /// What the client asked for: a route name, `provider/model`, a model name one provider serves, or empty for
    /// the default route.
    public var model: String
    /// The conversation and sampling parameters. `chat.model` is replaced by each target's model.
    public var chat: ChatRequest
    /// Order candidates by cost, speed or quality instead of each tier's balance strategy.
    public var priority: RoutingPriority?
    /// Skip candidates whose upper-bound cost is above this.
    public var maxCost: MicroDollars?
    /// Deadline of the whole routing, queue wait and retries included.
    public var timeout: Duration?

    public init(
        id: String,
        userID: String = "anonymous",
        model: String,
        chat: ChatRequest,
        priority: RoutingPriority? = nil,
        maxCost: MicroDollars? = nil,
        timeout: Duration? = nil,
        keyID: String? = nil,
        team: String? = nil
    ) {
        self.id = id
        self.userID = userID
        self.keyID = keyID
        self.team = team
        self.model = model
        self.chat = chat
        self.priority = priority
        self.maxCost = maxCost
        self.timeout = timeout
    }

    /// Every budget scope the request is billed to.
    public var budgetSubject: BudgetSubject { BudgetSubject(userID: userID, keyID: keyID, team: team) }
}

/// The router's answer to a ``RoutingRequest``.
public struct RoutedResponse: Sendable, Hashable {
    public var requestID: String
    public var route: String
    public var provider: String
    public var model: String
    public var tier: String
    /// The answer, with any escalation marker removed.
    public var response: ChatResponse
    /// Cost of every attempt of the request together.
    public var cost: MicroDollars
    /// Every call made, in order.
    public var attempts: [AttemptFinished]
    public var escalated: Bool
    public var classification: PromptClass
    public var latency: Duration
    /// The tightest budget limit of the request's scopes once it is settled (`nil` without budgets): what the
    /// answer's `x-switchyard-budget-*` headers report.
    public var budget: BudgetStatus?
    /// The tier of the route's downgrade ladder that served the request because its budget ran low; `nil` when
    /// it was not downgraded.
    public var downgradedTo: String?
}

/// A piece of a streamed answer with the provider that produced it.
public struct RoutedChunk: Sendable, Hashable {
    public var chunk: ChatStreamChunk
    public var provider: String
    public var model: String

    init(chunk: ChatStreamChunk, provider: String, model: String) {
        self.chunk = chunk
        self.provider = provider
        self.model = model
    }
}
