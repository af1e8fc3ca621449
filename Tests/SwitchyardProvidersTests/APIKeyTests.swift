import SwitchyardCore
import SwitchyardProviders
import Testing

@Suite("API keys")
struct APIKeyTests {
    @Test func readsTheNamedVariable() throws {
        let key = try APIKey.fromEnvironment(named: "MY_KEY", environment: ["MY_KEY": "  sk-abc  "])
        #expect(key == APIKey("sk-abc"))
    }

    @Test func aMissingVariableIsNamedButNoValueIsShown() {
        #expect(throws: MissingAPIKeyError(variable: "MY_KEY")) {
            try APIKey.fromEnvironment(named: "MY_KEY", environment: ["OTHER": "sk-other"])
        }
        #expect(throws: MissingAPIKeyError(variable: "MY_KEY")) {
            try APIKey.fromEnvironment(named: "MY_KEY", environment: ["MY_KEY": " "])
        }
        #expect("\(MissingAPIKeyError(variable: "MY_KEY"))".contains("MY_KEY"))
    }

    @Test func neverPrintsTheValue() {
        let key = APIKey("sk-very-secret")
        let configurations: [String] = [
            "\(key)", String(reflecting: key), "\(Optional(key) as Any)",
            "\(OpenAICompatibleProvider.Configuration(apiKey: key))",
            String(reflecting: OpenAICompatibleProvider.Configuration(apiKey: key)),
            "\(AnthropicProvider.Configuration(apiKey: key))",
            String(reflecting: AnthropicProvider.Configuration(apiKey: key)),
            "\(GeminiProvider.Configuration(apiKey: key))",
            String(reflecting: GeminiProvider.Configuration(apiKey: key)),
        ]
        for text in configurations { #expect(!text.contains("sk-very-secret"), "\(text)") }
        var dumped = ""
        dump(OpenAICompatibleProvider.Configuration(apiKey: key), to: &dumped)
        #expect(!dumped.contains("sk-very-secret"))
    }

    @Test func settingsBuildEachKindAndNameAMissingVariable() async throws {
        let clients = ProviderHTTPClients()
        do {
            try build(clients)
        } catch {
            try await clients.shutdown()
            throw error
        }
        try await clients.shutdown()
    }

    private func build(_ clients: ProviderHTTPClients) throws {
        let context = ProviderBuildContext(clients: clients, environment: ["OPENAI_API_KEY": "sk-1"])
        let openAI = try HTTPProviderOptions<OpenAICompatibleProvider>(apiKeyEnv: "OPENAI_API_KEY")
            .makeProvider(name: "o", context: context)
        #expect(openAI is OpenAICompatibleProvider)
        let local = try HTTPProviderOptions<OpenAICompatibleProvider>(
            configuration: .init(baseURL: "http://localhost:11434/v1")
        ).makeProvider(name: "l", context: ProviderBuildContext(clients: clients, environment: [:]))
        #expect((local as? OpenAICompatibleProvider)?.configuration.baseURL == "http://localhost:11434/v1")
        #expect(throws: MissingAPIKeyError(variable: "ANTHROPIC_API_KEY")) {
            try HTTPProviderOptions<AnthropicProvider>(apiKeyEnv: "ANTHROPIC_API_KEY").makeProvider(name: "a", context: context)
        }
        let gemini = try HTTPProviderOptions<GeminiProvider>().makeProvider(name: "g", context: context)
        #expect((gemini as? GeminiProvider)?.configuration.baseURL == GeminiProvider.Configuration.defaultBaseURL)
    }
}
