import Foundation
import SwitchyardCore
import SwitchyardProviders
import SwitchyardServer
import SwitchyardStore
import Testing

/// The keys declared once: what the file may set reaches the provider and the ledger, the reference is the
/// declarations', and the topology rules are the router's.
@Suite struct ConfigDeclarationsTests {
    @Test func theReferenceInTheDocsIsTheDeclarations() throws {
        let text = try String(contentsOfFile: ConfigFixtures.repositoryFile("docs/configuration.md"), encoding: .utf8)
        let begin = try #require(text.range(of: "<!-- BEGIN switchyard config keys -->\n"))
        let end = try #require(text.range(of: "<!-- END switchyard config keys -->"))
        #expect(
            String(text[begin.upperBound..<end.lowerBound]) == SwitchyardConfig.referenceMarkdown(),
            "docs/configuration.md is out of date: paste the output of `switchyard config keys` between the markers")
    }

    @Test func everyKeyOfEveryKindIsInTheReference() {
        let reference = SwitchyardConfig.referenceMarkdown()
        for key in [
            "`database.durability`", "`database.readers`", "`database.group_commit_window_ms`",
            "`database.group_commit_max_batch`", "`providers[].max_tokens_field`", "`providers[].api_version`",
            "`providers[].default_max_tokens`", "`providers[].extra_headers`", "`providers[].max_stream_bytes`",
            "`providers[].simulated.latency_ms`", "`routes[].escalation.to`",
        ] {
            #expect(reference.contains(key), "\(key) missing")
        }
    }

    static let kindSettingsYAML = """
        database: {durability: power_loss, readers: 2, wal_autocheckpoint_pages: 500, group_commit_window_ms: 0,
                   group_commit_max_batch: 64}
        providers:
          - name: o
            kind: openai
            base_url: http://127.0.0.1:1/v1
            max_tokens_field: max_completion_tokens
            include_stream_usage: false
            extra_headers: {OpenAI-Organization: org-1}
            max_response_bytes: 4096
            max_stream_bytes: 8192
            models: [o3]
          - {name: a, kind: anthropic, api_version: "2024-01-01", default_max_tokens: 777, models: [claude]}
          - {name: g, kind: gemini, api_version: v1, models: [flash]}
        """

    @Test func perKindSettingsAreReadAndWrittenBack() throws {
        let config = try SwitchyardConfig(yaml: Self.kindSettingsYAML)
        #expect(
            config.database.ledger.durability == .powerLoss && config.database.ledger.maximumReaderCount == 2
                && config.database.ledger.walAutocheckpointPages == 500)
        #expect(config.database.writer.window == .zero && config.database.writer.maxBatchSize == 64)
        let openAI = try #require(config.providers[0].options(as: HTTPProviderOptions<OpenAICompatibleProvider>.self))
        #expect(openAI.configuration.maxTokensField == .maxCompletionTokens)
        #expect(openAI.configuration.includeStreamUsage == false)
        #expect(openAI.configuration.extraHeaders == ["OpenAI-Organization": "org-1"])
        #expect(openAI.configuration.maxResponseBytes == 4096 && openAI.configuration.maxStreamBytes == 8192)
        let anthropic = try #require(config.providers[1].options(as: HTTPProviderOptions<AnthropicProvider>.self))
        #expect(anthropic.configuration.apiVersion == "2024-01-01" && anthropic.configuration.defaultMaxTokens == 777)
        #expect(config.providers[2].options(as: HTTPProviderOptions<GeminiProvider>.self)?.configuration.apiVersion == "v1")

        let yaml = config.effectiveYAML()
        #expect(yaml.contains("max_tokens_field: max_completion_tokens") && yaml.contains("durability: power_loss"))
        #expect(try SwitchyardConfig(yaml: yaml) == config, "\(yaml)")
    }

    /// `max_completion_tokens`, which OpenAI's reasoning models require, could not be set from the file before.
    @Test func maxTokensFieldReachesTheUpstream() async throws {
        try await withFakeUpstream({ _ in OpenAIReply.answer() }) { upstream in
            let config = try testConfig(
                """
                providers:
                  - name: o
                    kind: openai
                    base_url: \(upstream.baseURL)
                    max_tokens_field: max_completion_tokens
                    extra_headers: {OpenAI-Organization: org-7}
                    models: [o3]
                """)
            try await withServer(config) { server in
                let response = try await server.post("/v1/chat/completions", chatBody(extra: #""max_tokens": 50"#))
                #expect(response.status == 200)
            }
            let sent = try #require(upstream.requests.first)
            #expect(sent.json?["max_completion_tokens"]?.int == 50)
            #expect(sent.json?["max_tokens"] == nil)
            #expect(sent.headers["openai-organization"] == "org-7")
        }
    }

    /// One set of rules: the router refuses what the file's reader refuses, with the same path.
    @Test func theRouterAndTheReaderShareTheTopologyRules() throws {
        let profile = ProviderProfile(name: "a", models: [ModelProfile(name: "m")])
        let configuration = RouterConfiguration(
            providers: [profile], routes: [Route(name: "r", tiers: [Tier(name: "t", targets: [RouteTarget(provider: "a", model: "x")])])])
        #expect(throws: RouterConfigurationError.self) { try RouterTopology(configuration) }
        do {
            _ = try RouterTopology(configuration)
        } catch {
            #expect(error.path == "routes[0].tiers[0].targets[0]" && error.code == .unknownReference)
            #expect(error.message.contains("provider 'a' has no model 'x' (its models: m)"))
        }
    }
}
