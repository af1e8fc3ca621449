public import SwitchyardCore

/// A small price table in LiteLLM's `model_prices_and_context_window.json` format, written for the tests from its
/// documented fields, with the prices each model must import as (µ$ per million tokens).
public enum LiteLLMSample {
    public static let json = #"""
        {
          "sample_spec": {
            "max_tokens": "LEGACY parameter. set to max_output_tokens if provider specifies it.",
            "input_cost_per_token": 0.0, "output_cost_per_token": 0.0,
            "litellm_provider": "one of https://docs.litellm.ai/docs/providers", "mode": "chat"
          },
          "gpt-4o": {
            "input_cost_per_token": 2.5e-06, "output_cost_per_token": 1e-05, "cache_read_input_token_cost": 1.25e-06,
            "litellm_provider": "openai", "mode": "chat", "max_output_tokens": 16384, "supports_prompt_caching": true
          },
          "o3-mini": {
            "input_cost_per_token": 1.1e-06, "output_cost_per_token": 4.4e-06, "cache_read_input_token_cost": 5.5e-07,
            "output_cost_per_reasoning_token": 4.4e-06, "litellm_provider": "openai", "mode": "chat"
          },
          "claude-sonnet-4-5": {
            "input_cost_per_token": 3e-06, "output_cost_per_token": 1.5e-05,
            "cache_read_input_token_cost": 3e-07, "cache_creation_input_token_cost": 3.75e-06,
            "cache_creation_input_token_cost_above_1hr": 6e-06,
            "input_cost_per_token_above_200k_tokens": 6e-06, "output_cost_per_token_above_200k_tokens": 2.25e-05,
            "cache_read_input_token_cost_above_200k_tokens": 6e-07,
            "cache_creation_input_token_cost_above_200k_tokens": 7.5e-06,
            "litellm_provider": "anthropic", "mode": "chat", "max_output_tokens": 64000
          },
          "gemini/gemini-2.5-pro": {
            "input_cost_per_token": 1.25e-06, "output_cost_per_token": 1e-05, "cache_read_input_token_cost": 1.25e-07,
            "input_cost_per_token_above_200k_tokens": 2.5e-06, "output_cost_per_token_above_200k_tokens": 1.5e-05,
            "cache_read_input_token_cost_above_200k_tokens": 2.5e-07,
            "litellm_provider": "gemini", "mode": "chat"
          },
          "text-embedding-3-small": {
            "input_cost_per_token": 2e-08, "output_cost_per_token": 0.0, "litellm_provider": "openai", "mode": "embedding"
          },
          "tiny-fraction": { "input_cost_per_token": 1.0000005e-06, "output_cost_per_token": 0 },
          "broken-price": { "input_cost_per_token": "free", "output_cost_per_token": 1e-06 },
          "half-priced": { "input_cost_per_token": 1e-06 },
          "not-an-entry": 42
        }
        """#

    /// What each priced entry imports as.
    public static let expected: [String: ModelPricing] = [
        "gpt-4o": ModelPricing(
            TokenPrices(
                inputPerMillionTokens: 2_500_000, outputPerMillionTokens: 10_000_000,
                cachedInputPerMillionTokens: 1_250_000)),
        "o3-mini": ModelPricing(
            TokenPrices(
                inputPerMillionTokens: 1_100_000, outputPerMillionTokens: 4_400_000,
                cachedInputPerMillionTokens: 550_000, reasoningPerMillionTokens: 4_400_000)),
        "claude-sonnet-4-5": ModelPricing(
            TokenPrices(
                inputPerMillionTokens: 3_000_000, outputPerMillionTokens: 15_000_000,
                cachedInputPerMillionTokens: 300_000, cacheWritePerMillionTokens: 3_750_000,
                cacheWrite1hPerMillionTokens: 6_000_000),
            longContext: LongContextPricing(
                abovePromptTokens: 200_000,
                prices: TokenPrices(
                    inputPerMillionTokens: 6_000_000, outputPerMillionTokens: 22_500_000,
                    cachedInputPerMillionTokens: 600_000, cacheWritePerMillionTokens: 7_500_000))),
        "gemini/gemini-2.5-pro": ModelPricing(
            TokenPrices(
                inputPerMillionTokens: 1_250_000, outputPerMillionTokens: 10_000_000,
                cachedInputPerMillionTokens: 125_000),
            longContext: LongContextPricing(
                abovePromptTokens: 200_000,
                prices: TokenPrices(
                    inputPerMillionTokens: 2_500_000, outputPerMillionTokens: 15_000_000,
                    cachedInputPerMillionTokens: 250_000))),
        "text-embedding-3-small": ModelPricing(inputPerMillionTokens: 20_000, outputPerMillionTokens: 0),
        // 1.0000005 $/MTok is finer than a micro-dollar per million tokens: rounded up, never down.
        "tiny-fraction": ModelPricing(inputPerMillionTokens: 1_000_001, outputPerMillionTokens: 0),
    ]

    /// The entries that are left out.
    public static let skipped: Set<String> = ["broken-price", "half-priced", "not-an-entry"]
}
