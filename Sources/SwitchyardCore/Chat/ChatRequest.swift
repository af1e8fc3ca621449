/// A chat completion request as sent to one provider, in the OpenAI chat shape.
///
/// `model` is the provider's own model name. Routing options (route, priority, cost cap) are not part of it: they
/// live in ``RoutingRequest``.
public struct ChatRequest: Sendable, Hashable, Codable {
    public var model: String
    public var messages: [ChatMessage]
    public var tools: [ToolDefinition]?
    public var toolChoice: ToolChoice?
    public var temperature: Double?
    public var topP: Double?
    /// The most completion tokens the provider may produce. The router always sets it before a call so that the
    /// reserved cost is a true upper bound.
    public var maxTokens: Int?
    public var stop: [String]?
    /// The end user, forwarded to providers that accept it.
    public var user: String?

    public init(
        model: String,
        messages: [ChatMessage],
        tools: [ToolDefinition]? = nil,
        toolChoice: ToolChoice? = nil,
        temperature: Double? = nil,
        topP: Double? = nil,
        maxTokens: Int? = nil,
        stop: [String]? = nil,
        user: String? = nil
    ) {
        self.model = model
        self.messages = messages
        self.tools = tools
        self.toolChoice = toolChoice
        self.temperature = temperature
        self.topP = topP
        self.maxTokens = maxTokens
        self.stop = stop
        self.user = user
    }

    enum CodingKeys: String, CodingKey {
        case model, messages, tools, temperature, stop, user
        case toolChoice = "tool_choice"
        case topP = "top_p"
        case maxTokens = "max_tokens"
    }
}
