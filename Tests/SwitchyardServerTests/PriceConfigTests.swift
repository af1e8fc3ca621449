import Foundation
import SwitchyardCore
import SwitchyardProviders
import SwitchyardServer
import SwitchyardSettings
import SwitchyardTesting
import Testing

/// Price keys, `prices_file` and LiteLLM's price table, as the configuration reads them.
@Suite struct PriceConfigTests {
    @Test func liteLLMsFieldsImportAsTheSamePrices() throws {
        let file = try LiteLLMPriceFile(json: Data(LiteLLMSample.json.utf8), path: "sample.json")
        #expect(file.entries == LiteLLMSample.expected)
        #expect(Set(file.skipped.keys) == LiteLLMSample.skipped)
        #expect(file.skipped["broken-price"]?.contains("input_cost_per_token is not a number") == true)
        #expect(file.skipped["half-priced"]?.contains("output_cost_per_token") == true)
        #expect(file.pricing(for: "gemini-2.5-pro", prefixes: ["gemini"])?.key == "gemini/gemini-2.5-pro")
        #expect(file.pricing(for: "gpt-4o", prefixes: ["openai"])?.key == "gpt-4o")
        #expect(file.pricing(for: "gpt-5", prefixes: ["openai"]) == nil)
        #expect(throws: PriceFileError.self) { try LiteLLMPriceFile(json: Data("[1, 2]".utf8), path: "list.json") }
    }

    @Test func everyPriceKeyIsRead() throws {
        let config = try SwitchyardConfig(
            yaml: """
                providers:
                  - name: p
                    kind: simulated
                    models:
                      - name: m
                        input_usd_per_mtok: 1.25
                        output_usd_per_mtok: 10
                        cached_input_usd_per_mtok: 0.125
                        cache_write_usd_per_mtok: 1.5
                        cache_write_1h_usd_per_mtok: 2.5
                        reasoning_usd_per_mtok: 12
                        long_context: {above_prompt_tokens: 200000, input_usd_per_mtok: 2.50, output_usd_per_mtok: 15}
                """)
        let pricing = try #require(config.providers.first?.profile.models.first?.pricing)
        #expect(
            pricing.base
                == TokenPrices(
                    inputPerMillionTokens: 1_250_000, outputPerMillionTokens: 10_000_000,
                    cachedInputPerMillionTokens: 125_000, cacheWritePerMillionTokens: 1_500_000,
                    cacheWrite1hPerMillionTokens: 2_500_000, reasoningPerMillionTokens: 12_000_000))
        #expect(
            pricing.longContext
                == LongContextPricing(
                    abovePromptTokens: 200_000,
                    prices: TokenPrices(inputPerMillionTokens: 2_500_000, outputPerMillionTokens: 15_000_000)))
        #expect(try SwitchyardConfig(yaml: config.effectiveYAML()) == config)
    }

    @Test func anthropicModelsGetAnthropicsCacheMultiples() throws {
        let config = try SwitchyardConfig(
            yaml: """
                providers:
                  - name: claude
                    kind: anthropic
                    models:
                      - {name: sonnet, input_usd_per_mtok: 3, output_usd_per_mtok: 15, cache_write_1h_usd_per_mtok: 7}
                      - name: long
                        input_usd_per_mtok: 3
                        output_usd_per_mtok: 15
                        long_context: {above_prompt_tokens: 200000, input_usd_per_mtok: 6, output_usd_per_mtok: 22.5}
                  - name: oai
                    kind: openai
                    models: [{name: gpt, input_usd_per_mtok: 2.5, output_usd_per_mtok: 10}]
                """)
        let claude = config.providers[0].profile.models
        // Read 0.1 ×, 5-minute write 1.25 ×; a price written stays.
        #expect(claude[0].pricing.base.cachedInputPerMillionTokens == 300_000)
        #expect(claude[0].pricing.base.cacheWritePerMillionTokens == 3_750_000)
        #expect(claude[0].pricing.base.cacheWrite1hPerMillionTokens == 7_000_000)
        let tier = try #require(claude[1].pricing.longContext?.prices)
        #expect(tier.cachedInputPerMillionTokens == 600_000 && tier.cacheWrite1hPerMillionTokens == 12_000_000)
        // Other kinds keep the plain defaults: cached input at the input price.
        #expect(config.providers[1].profile.models[0].pricing.base.rates.cachedInput == 2_500_000)
        #expect(try SwitchyardConfig(yaml: config.effectiveYAML()) == config)
    }

    @Test func aPricesFilePricesTheModelsWithoutPrices() throws {
        try withPriceFile { path in
            let config = try SwitchyardConfig(
                yaml: """
                    prices_file: \(path)
                    providers:
                      - name: oai
                        kind: openai
                        models: [gpt-4o, {name: o3-mini, max_output_tokens: 2048}, {name: mine, input_usd_per_mtok: 1, output_usd_per_mtok: 2}]
                      - name: gem
                        kind: gemini
                        models: [gemini-2.5-pro]
                      - name: claude
                        kind: anthropic
                        models: [claude-sonnet-4-5]
                    """)
            let models = config.providers.flatMap(\.profile.models)
            #expect(models[0].pricing == LiteLLMSample.expected["gpt-4o"])
            #expect(models[1].pricing == LiteLLMSample.expected["o3-mini"] && models[1].maxOutputTokens == 2048)
            #expect(models[2].pricing == ModelPricing(inputPerMillionTokens: 1_000_000, outputPerMillionTokens: 2_000_000))
            #expect(models[3].pricing == LiteLLMSample.expected["gemini/gemini-2.5-pro"])
            #expect(models[4].pricing == LiteLLMSample.expected["claude-sonnet-4-5"].map(Self.withAnthropicRead))
            #expect(models[4].maxOutputTokens == 1024, "the file's max_output_tokens is not taken")
            #expect(config.priceTable.pricing(provider: "gem", model: "gemini-2.5-pro") == models[3].pricing)
            #expect(try SwitchyardConfig(yaml: config.effectiveYAML()) == config)
        }
    }

    /// The sample's Claude tier has no 1-hour write price: the anthropic kind fills it in (2 × the tier's input).
    static func withAnthropicRead(_ pricing: ModelPricing) -> ModelPricing {
        var pricing = pricing
        pricing.longContext?.prices.cacheWrite1hPerMillionTokens = 12_000_000
        return pricing
    }

    @Test func aModelThatIsInNeitherIsAnError() throws {
        try withPriceFile { path in
            #expect {
                try SwitchyardConfig(
                    yaml: """
                        prices_file: \(path)
                        providers:
                          - {name: local, kind: openai, models: [gpt-4o, llama3]}
                        """)
            } throws: { error in
                guard let error = error as? ConfigError else { return false }
                return error.code == .unknownReference && error.path == "providers[0].models[1]"
                    && error.message.contains("'openai/llama3' and 'llama3'") && error.line == 3
            }
        }
        #expect {
            try SwitchyardConfig(
                yaml: """
                    prices_file: /nonexistent/prices.json
                    providers: [{name: p, kind: simulated, models: [m]}]
                    """)
        } throws: { error in
            (error as? ConfigError)?.code == .unreadable && (error as? ConfigError)?.path == "prices_file"
        }
    }

    @Test func aLongContextTierNeedsItsThresholdAndPrices() {
        #expect {
            try SwitchyardConfig(
                yaml: """
                    providers:
                      - {name: p, kind: simulated, models: [{name: m, long_context: {input_usd_per_mtok: 2, output_usd_per_mtok: 4}}]}
                    """)
        } throws: { error in
            (error as? ConfigError)?.code == .missingKey
                && (error as? ConfigError)?.path == "providers[0].models[0].long_context.above_prompt_tokens"
        }
    }

    private func withPriceFile(_ body: (String) throws -> Void) throws {
        let path = FileManager.default.temporaryDirectory.appending(path: "prices-\(UUID().uuidString).json").path
        try LiteLLMSample.json.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        try body(path)
    }
}
