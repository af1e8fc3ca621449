import Foundation
import SwitchyardCore
import SwitchyardStore

/// The body of `POST /v1/messages`: Anthropic's Messages API request, plus the optional `switchyard` object of the
/// OpenAI endpoint.
///
/// Text, a system prompt (a string or text blocks), tools (`tool_use` / `tool_result` blocks) and the sampling
/// options are translated into the router's OpenAI-shaped ``ChatRequest``, so a route may send the request to any
/// provider kind. Blocks Switchyard cannot carry (images, documents, thinking) are refused with a 400 naming the block,
/// never dropped. `top_k` and `thinking` have no equivalent across providers and are refused when set.
struct AnthropicMessagesRequest: Decodable, Sendable {
    var model: String
    var maxTokens: Int
    var messages: [Message]
    var system: [String]?
    var tools: [Tool]?
    var toolChoice: ToolChoiceBody?
    var temperature: Double?
    var topP: Double?
    var topK: Int?
    var stopSequences: [String]?
    var stream: Bool?
    var metadata: Metadata?
    var switchyard: OpenAIChatRequest.SwitchyardOptions?

    struct Metadata: Decodable, Sendable {
        var userID: String?
        enum CodingKeys: String, CodingKey { case userID = "user_id" }
    }

    /// A client tool. Anthropic's server tools (`web_search_…`, `bash_…` and the like, with a `type` other than
    /// `custom`) run at Anthropic and have no equivalent elsewhere: they are refused.
    struct Tool: Decodable, Sendable {
        var name: String
        var description: String?
        var inputSchema: JSONValue?
        enum CodingKeys: String, CodingKey {
            case name, description, type
            case inputSchema = "input_schema"
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            if let type = try container.decodeIfPresent(String.self, forKey: .type), type != "custom" {
                throw DecodingError.dataCorruptedError(
                    forKey: .type, in: container,
                    debugDescription: "Anthropic's server tools ('\(type)') are not supported; client tools are")
            }
            name = try container.decode(String.self, forKey: .name)
            description = try container.decodeIfPresent(String.self, forKey: .description)
            inputSchema = try container.decodeIfPresent(JSONValue.self, forKey: .inputSchema)
        }
    }

    struct ToolChoiceBody: Decodable, Sendable {
        var type: String
        var name: String?
    }

    struct Message: Decodable, Sendable {
        var role: String
        var content: [Block]

        enum CodingKeys: String, CodingKey { case role, content }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            role = try container.decode(String.self, forKey: .role)
            if let text = try? container.decode(String.self, forKey: .content) {
                content = [.text(text)]
            } else {
                content = try container.decode([Block].self, forKey: .content)
            }
        }
    }

    /// One content block of a message.
    enum Block: Decodable, Sendable {
        case text(String)
        case toolUse(id: String, name: String, input: JSONValue)
        case toolResult(toolUseID: String, content: String, isError: Bool)

        enum CodingKeys: String, CodingKey {
            case type, text, id, name, input, content
            case toolUseID = "tool_use_id"
            case isError = "is_error"
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            let type = try container.decode(String.self, forKey: .type)
            switch type {
            case "text":
                self = .text(try container.decode(String.self, forKey: .text))
            case "tool_use":
                self = .toolUse(
                    id: try container.decode(String.self, forKey: .id),
                    name: try container.decode(String.self, forKey: .name),
                    input: try container.decodeIfPresent(JSONValue.self, forKey: .input) ?? .object([:]))
            case "tool_result":
                let text: String
                if let single = try? container.decodeIfPresent(String.self, forKey: .content) {
                    text = single
                } else {
                    let blocks = try container.decodeIfPresent([Block].self, forKey: .content) ?? []
                    text = try blocks.map { block in
                        guard case .text(let text) = block else {
                            throw DecodingError.dataCorruptedError(
                                forKey: .content, in: container,
                                debugDescription: "a tool_result may hold text blocks only")
                        }
                        return text
                    }.joined()
                }
                self = .toolResult(
                    toolUseID: try container.decode(String.self, forKey: .toolUseID), content: text,
                    isError: try container.decodeIfPresent(Bool.self, forKey: .isError) ?? false)
            default:
                throw DecodingError.dataCorruptedError(
                    forKey: .type, in: container,
                    debugDescription: "content blocks of type '\(type)' are not supported (text, tool_use and "
                        + "tool_result are)")
            }
        }
    }

    enum CodingKeys: String, CodingKey {
        case model, messages, system, tools, temperature, stream, metadata, switchyard, thinking
        case maxTokens = "max_tokens"
        case toolChoice = "tool_choice"
        case topP = "top_p"
        case topK = "top_k"
        case stopSequences = "stop_sequences"
    }

    private struct SystemBlock: Decodable {
        var type: String
        var text: String?
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        model = try container.decode(String.self, forKey: .model)
        guard let maxTokens = try container.decodeWholeNumberIfPresent(forKey: .maxTokens) else {
            throw DecodingError.keyNotFound(
                CodingKeys.maxTokens, .init(codingPath: container.codingPath, debugDescription: "max_tokens is required"))
        }
        self.maxTokens = maxTokens
        messages = try container.decode([Message].self, forKey: .messages)
        if let text = try? container.decodeIfPresent(String.self, forKey: .system) {
            system = [text]
        } else if let blocks = try container.decodeIfPresent([SystemBlock].self, forKey: .system) {
            system = try blocks.map { block in
                guard block.type == "text", let text = block.text else {
                    throw DecodingError.dataCorruptedError(
                        forKey: .system, in: container, debugDescription: "the system prompt may hold text blocks only")
                }
                return text
            }
        }
        tools = try container.decodeIfPresent([Tool].self, forKey: .tools)
        toolChoice = try container.decodeIfPresent(ToolChoiceBody.self, forKey: .toolChoice)
        temperature = try container.decodeIfPresent(Double.self, forKey: .temperature)
        topP = try container.decodeIfPresent(Double.self, forKey: .topP)
        topK = try container.decodeWholeNumberIfPresent(forKey: .topK)
        stopSequences = try container.decodeIfPresent([String].self, forKey: .stopSequences)
        stream = try container.decodeIfPresent(Bool.self, forKey: .stream)
        metadata = try container.decodeIfPresent(Metadata.self, forKey: .metadata)
        switchyard = try container.decodeIfPresent(OpenAIChatRequest.SwitchyardOptions.self, forKey: .switchyard)
        if container.contains(.thinking), try !container.decodeNil(forKey: .thinking) {
            throw DecodingError.dataCorruptedError(
                forKey: .thinking, in: container, debugDescription: "extended thinking is not supported through Switchyard")
        }
    }

    /// Checks what decoding cannot and builds the routing request.
    func routingRequest(id: String, identity: RequestIdentity) throws -> RoutingRequest {
        guard !messages.isEmpty else {
            throw APIError.badRequest("'messages' must hold at least one message", param: "messages")
        }
        guard maxTokens >= 1 else { throw APIError.badRequest("'max_tokens' must be at least 1", param: "max_tokens") }
        if let temperature, !(0...1).contains(temperature) {
            throw APIError.badRequest("'temperature' must be between 0 and 1", param: "temperature")
        }
        if let topP, !(0...1).contains(topP) {
            throw APIError.badRequest("'top_p' must be between 0 and 1", param: "top_p")
        }
        if topK != nil {
            throw APIError.badRequest(
                "'top_k' is not supported through Switchyard (providers of other kinds have no equivalent)", param: "top_k")
        }
        var chat: [ChatMessage] = []
        if let system, !system.isEmpty { chat.append(.system(system.joined(separator: "\n\n"))) }
        for (index, message) in messages.enumerated() {
            chat += try Self.chatMessages(message, at: index)
        }
        let choice: ToolChoice?
        switch toolChoice?.type {
        case nil: choice = nil
        case "auto": choice = .auto
        case "any": choice = .required
        case "none": choice = ToolChoice.none
        case "tool":
            guard let name = toolChoice?.name else {
                throw APIError.badRequest("'tool_choice' of type 'tool' needs a 'name'", param: "tool_choice.name")
            }
            choice = .function(name)
        case let other?:
            throw APIError.badRequest(
                "'tool_choice.type' must be auto, any, tool or none; not '\(other)'", param: "tool_choice.type")
        }
        let (maxCost, timeout) = try switchyard?.limits() ?? (nil, nil)
        let request = ChatRequest(
            model: "", messages: chat,
            tools: tools?.map { ToolDefinition(name: $0.name, description: $0.description, parameters: $0.inputSchema) },
            toolChoice: choice, temperature: temperature, topP: topP, maxTokens: maxTokens, stop: stopSequences,
            user: metadata?.userID)
        return RoutingRequest(
            id: id, userID: identity.userID, model: model, chat: request, priority: switchyard?.priority,
            maxCost: maxCost, timeout: timeout, keyID: identity.keyID, team: identity.team)
    }

    /// One Anthropic message as the router's messages: a user turn's tool results become `tool` messages (before
    /// its text, as Anthropic orders them); an assistant turn's `tool_use` blocks become its tool calls.
    private static func chatMessages(_ message: Message, at index: Int) throws -> [ChatMessage] {
        var text: [String] = []
        var calls: [ToolCall] = []
        var results: [ChatMessage] = []
        for block in message.content {
            switch block {
            case .text(let value):
                text.append(value)
            case .toolUse(let id, let name, let input):
                guard message.role == "assistant" else {
                    throw APIError.badRequest(
                        "'messages[\(index)]': tool_use blocks belong to assistant messages", param: "messages[\(index)]")
                }
                let arguments = String(decoding: try SwitchyardJSON.encoder.encode(input), as: UTF8.self)
                calls.append(ToolCall(id: id, name: name, arguments: arguments))
            case .toolResult(let id, let content, let isError):
                guard message.role == "user" else {
                    throw APIError.badRequest(
                        "'messages[\(index)]': tool_result blocks belong to user messages", param: "messages[\(index)]")
                }
                results.append(ChatMessage(role: .tool, content: isError ? "Error: \(content)" : content, toolCallID: id))
            }
        }
        switch message.role {
        case "user":
            return results + (text.isEmpty ? [] : [.user(text.joined())])
        case "assistant":
            return [
                ChatMessage(
                    role: .assistant, content: text.isEmpty ? nil : text.joined(), toolCalls: calls.isEmpty ? nil : calls)
            ]
        default:
            throw APIError.badRequest(
                "'messages[\(index)].role' must be user or assistant; not '\(message.role)'",
                param: "messages[\(index)].role")
        }
    }
}
