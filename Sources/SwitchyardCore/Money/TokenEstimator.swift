/// Counts tokens before a call, for cost ordering, cost caps and budget reservations.
///
/// Two figures, on purpose:
/// - ``expectedPromptTokens(_:)``: the usual ~4 characters per token, for *ranking* candidates by cost.
/// - ``upperBoundPromptTokens(_:)``: one token per UTF-8 byte of everything the provider bills (contents, names,
///   tool-call ids and arguments, tool definitions) plus allowances for what providers add themselves (chat
///   template markers per message, a tool-use system prompt). Byte-level BPE tokenizers never produce more tokens
///   than bytes, so a reservation built on it is a true upper bound.
package enum TokenEstimator {
    /// Tokens a chat template adds around each message (role markers and separators), upper bound.
    static let perMessageOverhead = 8

    /// Tokens a provider adds to a request that offers tools (Anthropic documents a tool-use system prompt of
    /// a few hundred tokens), upper bound.
    static let toolUseOverhead = 1_024

    /// A typical count of the prompt's tokens.
    package static func expectedPromptTokens(_ request: ChatRequest) -> Int {
        var characters = 0
        for message in request.messages {
            characters += message.content?.count ?? 0
            for call in message.toolCalls ?? [] { characters += call.name.count + call.arguments.count }
        }
        characters += toolBytes(request.tools)
        return (characters + 3) / 4 + 4 * request.messages.count
    }

    /// A count the prompt's tokens will not exceed.
    static func upperBoundPromptTokens(_ request: ChatRequest) -> Int {
        var bytes = 0
        for message in request.messages {
            bytes += message.content?.utf8.count ?? 0
            bytes += message.name?.utf8.count ?? 0
            bytes += message.toolCallID?.utf8.count ?? 0
            for call in message.toolCalls ?? [] {
                bytes += call.id.utf8.count + call.name.utf8.count + call.arguments.utf8.count + 16
            }
        }
        let toolOverhead = (request.tools?.isEmpty ?? true) ? 0 : toolUseOverhead
        return bytes + toolBytes(request.tools) + toolOverhead + perMessageOverhead * (request.messages.count + 1)
    }

    /// A count for text that a provider produced without reporting usage (about 4 characters a token, at least 1
    /// for non-empty text).
    package static func estimatedTokens(forText text: String) -> Int {
        text.isEmpty ? 0 : max(1, (text.count + 3) / 4)
    }

    private static func toolBytes(_ tools: [ToolDefinition]?) -> Int {
        guard let tools else { return 0 }
        return tools.reduce(0) { total, tool in
            total + tool.name.utf8.count + (tool.description?.utf8.count ?? 0) + jsonBytes(tool.parameters) + 16
        }
    }

    private static func jsonBytes(_ value: JSONValue?) -> Int {
        switch value {
        case nil, .null?: return 4
        case .bool?: return 5
        case .number?: return 24
        case .string(let text)?: return text.utf8.count + 2
        case .array(let items)?: return items.reduce(2) { $0 + jsonBytes($1) + 1 }
        case .object(let fields)?: return fields.reduce(2) { $0 + $1.key.utf8.count + 4 + jsonBytes($1.value) }
        }
    }
}
