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
        try await withTestClient { client in
            let environment = ["OPENAI_API_KEY": "sk-1"]
            let openAI = try ProviderSettings(name: "o", kind: .openAI, apiKeyEnvironmentVariable: "OPENAI_API_KEY")
                .makeProvider(httpClient: client, environment: environment)
            #expect(openAI is OpenAICompatibleProvider)
            let local = try ProviderSettings(name: "l", kind: .openAI, baseURL: "http://localhost:11434/v1")
                .makeProvider(httpClient: client, environment: [:])
            #expect((local as? OpenAICompatibleProvider)?.configuration.baseURL == "http://localhost:11434/v1")
            #expect(throws: MissingAPIKeyError(variable: "ANTHROPIC_API_KEY")) {
                try ProviderSettings(name: "a", kind: .anthropic, apiKeyEnvironmentVariable: "ANTHROPIC_API_KEY")
                    .makeProvider(httpClient: client, environment: environment)
            }
            let gemini = try ProviderSettings(name: "g", kind: .gemini).makeProvider(httpClient: client)
            #expect((gemini as? GeminiProvider)?.configuration.baseURL == ProviderKind.gemini.defaultBaseURL)
        }
    }
}
