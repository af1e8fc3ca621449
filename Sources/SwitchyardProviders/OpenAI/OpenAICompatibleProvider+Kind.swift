package import SwitchyardSettings

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
