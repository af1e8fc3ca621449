package import SwitchyardSettings

extension OpenAICompatibleProvider {
    /// Settings of one OpenAI-compatible backend: OpenAI itself, or a local LM Studio, Ollama, vLLM or llama.cpp
    /// server.
    public struct Configuration: HTTPProviderConfiguration, CustomStringConvertible {
        /// Which request field carries ``SwitchyardCore/ChatRequest/maxTokens``.
        public enum MaxTokensField: String, Sendable, Hashable, CaseIterable {
            /// `max_tokens`: what local servers understand.
            case maxTokens = "max_tokens"
            /// `max_completion_tokens`: what OpenAI's reasoning models require.
            case maxCompletionTokens = "max_completion_tokens"
        }

        /// The API root, up to and including `/v1`: `https://api.openai.com/v1`, `http://localhost:1234/v1` (LM
        /// Studio), `http://localhost:11434/v1` (Ollama), `http://localhost:8000/v1` (vLLM),
        /// `http://localhost:8080/v1` (llama.cpp). Default: OpenAI.
        public var baseURL: String
        /// Sent as `Authorization: Bearer …`; `nil` for local servers without authentication.
        public var apiKey: APIKey?
        public var timeouts: ProviderTimeouts
        /// Default ``MaxTokensField/maxTokens``.
        public var maxTokensField: MaxTokensField
        /// Asks streams for a final usage chunk (`stream_options.includeUsage`). Turn it off only for a server that
        /// rejects the option; usage is then estimated. Default `true`.
        public var includeStreamUsage: Bool
        /// More headers for every request (for example `OpenAI-Organization`). Their values are never logged.
        public var extraHeaders: [String: String]
        /// The largest non-streaming response accepted. Default 16 MiB.
        public var maxResponseBytes: Int
        /// The most bytes one streamed response may send in all (server-sent events with their framing). A stream
        /// that sends more fails with `malformed_response`, so an upstream that ignores `max_tokens` cannot run
        /// forever. Default 64 MiB.
        public var maxStreamBytes: Int

        public init(
            baseURL: String = Self.defaultBaseURL,
            apiKey: APIKey? = nil,
            timeouts: ProviderTimeouts = ProviderTimeouts(),
            maxTokensField: MaxTokensField = .maxTokens,
            includeStreamUsage: Bool = true,
            extraHeaders: [String: String] = [:],
            maxResponseBytes: Int = 16 << 20,
            maxStreamBytes: Int = 64 << 20
        ) {
            self.baseURL = baseURL
            self.apiKey = apiKey
            self.timeouts = timeouts
            self.maxTokensField = maxTokensField
            self.includeStreamUsage = includeStreamUsage
            self.extraHeaders = extraHeaders
            self.maxResponseBytes = maxResponseBytes
            self.maxStreamBytes = maxStreamBytes
        }

        /// The public API, used when `base_url` is not set.
        public static let defaultBaseURL = "https://api.openai.com/v1"

        /// Every setting at its default.
        public init() {
            self.init(baseURL: Self.defaultBaseURL)
        }

        public var description: String {
            "OpenAICompatibleProvider.Configuration(baseURL: \(baseURL), apiKey: \(apiKey == nil ? "none" : "****"), "
                + "timeouts: \(timeouts), extraHeaders: \(extraHeaders.keys.sorted()))"
        }
    }
}

extension ProviderKind {
    /// The OpenAI chat-completions API: OpenAI, LM Studio, Ollama, vLLM, llama.cpp and other compatible servers.
    public static let openAI = ProviderKind(rawValue: "openai")
}

extension OpenAICompatibleProvider: ConfigurableHTTPProvider {
    public static var kind: ProviderKind { .openAI }

    package static var configurationKeys: [SettingKey<Configuration>] {
        [
            .choice("max_tokens_field", \.maxTokensField,
                "The request field for the output limit: `max_tokens`, or `max_completion_tokens` (OpenAI's reasoning models).",
                Configuration.MaxTokensField.allCases),
            .bool("include_stream_usage", \.includeStreamUsage,
                "Ask streams for a final usage chunk; turn off only for a server that rejects it (usage is then estimated)."),
        ]
    }
}
