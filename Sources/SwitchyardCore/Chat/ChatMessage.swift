/// One message of a conversation, in the OpenAI chat shape.
///
/// `content` is text. A client may send content as an array of parts; text parts are joined, other parts (images,
/// audio) are rejected by the HTTP layer rather than silently dropped.
public struct ChatMessage: Sendable, Hashable, Codable {
    /// Who wrote the message.
    public struct Role: RawRepresentable, Sendable, Hashable, Codable, CustomStringConvertible {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public static let system = Role(rawValue: "system")
        public static let developer = Role(rawValue: "developer")
        public static let user = Role(rawValue: "user")
        public static let assistant = Role(rawValue: "assistant")
        public static let tool = Role(rawValue: "tool")
        public var description: String { rawValue }
    }

    public var role: Role
    /// The text of the message; `nil` for an assistant message that only calls tools.
    public var content: String?
    /// An optional participant name.
    public var name: String?
    /// Tool calls made by an assistant message.
    public var toolCalls: [ToolCall]?
    /// For a `tool` message: the id of the call it answers.
    public var toolCallID: String?

    public init(
        role: Role,
        content: String?,
        name: String? = nil,
        toolCalls: [ToolCall]? = nil,
        toolCallID: String? = nil
    ) {
        self.role = role
        self.content = content
        self.name = name
        self.toolCalls = toolCalls
        self.toolCallID = toolCallID
    }

    public static func system(_ text: String) -> ChatMessage { ChatMessage(role: .system, content: text) }
    public static func user(_ text: String) -> ChatMessage { ChatMessage(role: .user, content: text) }
    public static func assistant(_ text: String) -> ChatMessage { ChatMessage(role: .assistant, content: text) }

    enum CodingKeys: String, CodingKey {
        case role, content, name
        case toolCalls = "tool_calls"
        case toolCallID = "tool_call_id"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.role = try container.decode(Role.self, forKey: .role)
        self.name = try container.decodeIfPresent(String.self, forKey: .name)
        self.toolCalls = try container.decodeIfPresent([ToolCall].self, forKey: .toolCalls)
        self.toolCallID = try container.decodeIfPresent(String.self, forKey: .toolCallID)
        if let text = try? container.decodeIfPresent(String.self, forKey: .content) {
            self.content = text
        } else if container.contains(.content), try container.decodeNil(forKey: .content) {
            self.content = nil
        } else {
            let parts = try container.decode([ContentPart].self, forKey: .content)
            guard parts.allSatisfy({ $0.type == "text" }) else {
                throw DecodingError.dataCorruptedError(
                    forKey: .content, in: container,
                    debugDescription: "only text content parts are supported")
            }
            self.content = parts.compactMap(\.text).joined()
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(role, forKey: .role)
        try container.encode(content, forKey: .content)
        try container.encodeIfPresent(name, forKey: .name)
        try container.encodeIfPresent(toolCalls, forKey: .toolCalls)
        try container.encodeIfPresent(toolCallID, forKey: .toolCallID)
    }

    private struct ContentPart: Decodable {
        var type: String
        var text: String?
    }
}
