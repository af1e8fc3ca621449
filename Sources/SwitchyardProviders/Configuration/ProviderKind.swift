/// The wire protocol a provider speaks, as written in the config file's `kind`.
public enum ProviderKind: String, Sendable, Hashable, CaseIterable, Codable {
    /// The OpenAI chat-completions API: OpenAI, LM Studio, Ollama, vLLM, llama.cpp and other compatible servers.
    case openAI = "openai"
    /// The Anthropic Messages API.
    case anthropic
    /// The Google Gemini API (`generateContent`).
    case gemini
    /// Switchyard's built-in simulated backend, no network.
    case simulated

    /// The base URL used when the config gives none.
    public var defaultBaseURL: String {
        switch self {
        case .openAI: "https://api.openai.com/v1"
        case .anthropic: "https://api.anthropic.com"
        case .gemini: "https://generativelanguage.googleapis.com"
        case .simulated: ""
        }
    }
}
