package import Foundation
package import SwitchyardCore

/// LiteLLM's price table (`model_prices_and_context_window.json`), read from a local file: a JSON object whose keys
/// are model names (`gpt-4o`, `claude-sonnet-4-5`, `gemini/gemini-2.5-pro`) and whose values give dollars per token.
///
/// The fields read, per entry (every other field is ignored):
///
/// | LiteLLM field | Switchyard price |
/// | --- | --- |
/// | `input_cost_per_token`, `output_cost_per_token` | `input_usd_per_mtok`, `output_usd_per_mtok` (both required) |
/// | `cache_read_input_token_cost` | `cached_input_usd_per_mtok` |
/// | `cache_creation_input_token_cost` | `cache_write_usd_per_mtok` |
/// | `cache_creation_input_token_cost_above_1hr` | `cache_write_1h_usd_per_mtok` |
/// | `output_cost_per_reasoning_token` | `reasoning_usd_per_mtok` |
/// | each of those + `_above_<N>k_tokens` | `long_context` above N × 1000 prompt tokens |
///
/// Per-token dollars become micro-dollars per million tokens (× 10^12), rounded up to a whole one when a price is
/// finer than that. An entry without both an input and an output price, or with a price that is not a non-negative
/// number, is skipped and listed in ``skipped``: half a price would under-count silently. A model's
/// `max_output_tokens` is not taken: it bounds every budget reservation, so it stays the configuration's choice.
package struct LiteLLMPriceFile: Sendable {
    /// The models priced, by the file's key.
    package var entries: [String: ModelPricing]
    /// Keys that were left out, with why.
    package var skipped: [String: String]

    /// Reads the file at `path`.
    ///
    /// - Throws: ``PriceFileError`` when it cannot be read or is not a JSON object.
    package static func load(path: String) throws(PriceFileError) -> LiteLLMPriceFile {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw PriceFileError(path: path, message: "cannot read the file")
        }
        return try LiteLLMPriceFile(json: data, path: path)
    }

    /// Reads the file's text.
    package init(json: Data, path: String) throws(PriceFileError) {
        guard case .object(let models)? = try? JSONDecoder().decode(JSONValue.self, from: json) else {
            throw PriceFileError(path: path, message: "not a JSON object of models (LiteLLM's price table format)")
        }
        entries = [:]
        skipped = [:]
        for (key, value) in models where key != "sample_spec" {
            guard case .object(let fields) = value else {
                skipped[key] = "not an object"
                continue
            }
            switch Self.entry(fields) {
            case .success(let pricing): entries[key] = pricing
            case .failure(let reason): skipped[key] = reason.message
            }
        }
    }

    /// The entry for `model`, trying `<prefix>/<model>` for each prefix (a provider kind: `gemini/…`) before the bare
    /// name. Returns the key it was found under.
    package func pricing(for model: String, prefixes: [String]) -> (key: String, pricing: ModelPricing)? {
        for key in prefixes.map({ "\($0)/\(model)" }) + [model] {
            if let pricing = entries[key] { return (key, pricing) }
        }
        return nil
    }

    // MARK: Reading an entry

    private struct Reason: Error { var message: String }

    private static let base = [
        "input_cost_per_token", "output_cost_per_token", "cache_read_input_token_cost",
        "cache_creation_input_token_cost", "cache_creation_input_token_cost_above_1hr",
        "output_cost_per_reasoning_token",
    ]

    private static func entry(_ fields: [String: JSONValue]) -> Result<ModelPricing, Reason> {
        do {
            guard let base = try prices(fields, suffix: "", fallback: nil) else {
                return .failure(Reason(message: "no input_cost_per_token and output_cost_per_token"))
            }
            var pricing = ModelPricing(base)
            if let threshold = longContextThreshold(fields),
                let tier = try prices(fields, suffix: "_above_\(threshold)k_tokens", fallback: base)
            {
                pricing.longContext = LongContextPricing(abovePromptTokens: threshold * 1000, prices: tier)
            }
            return .success(pricing)
        } catch let reason as Reason {
            return .failure(reason)
        } catch {
            return .failure(Reason(message: "\(error)"))
        }
    }

    /// The smallest `N` of the `input_cost_per_token_above_<N>k_tokens` fields, if any.
    private static func longContextThreshold(_ fields: [String: JSONValue]) -> Int? {
        let prefix = "input_cost_per_token_above_"
        return fields.keys.compactMap { key -> Int? in
            guard key.hasPrefix(prefix), key.hasSuffix("k_tokens") else { return nil }
            return Int(key.dropFirst(prefix.count).dropLast("k_tokens".count)).flatMap { $0 > 0 ? $0 : nil }
        }.min()
    }

    /// The prices of the fields named `base + suffix`; `nil` without an input price (and, for the base tier, an
    /// output price). A tier without its own output price keeps `fallback`'s.
    private static func prices(_ fields: [String: JSONValue], suffix: String, fallback: TokenPrices?) throws -> TokenPrices? {
        var rates: [MicroDollars?] = []
        for name in base { rates.append(try price(fields, name + suffix)) }
        guard let input = rates[0], let output = rates[1] ?? fallback?.outputPerMillionTokens else { return nil }
        return TokenPrices(
            inputPerMillionTokens: input, outputPerMillionTokens: output, cachedInputPerMillionTokens: rates[2],
            cacheWritePerMillionTokens: rates[3], cacheWrite1hPerMillionTokens: rates[4],
            reasoningPerMillionTokens: rates[5])
    }

    /// Dollars per token → micro-dollars per million tokens, rounded up; `nil` when absent or JSON `null`.
    private static func price(_ fields: [String: JSONValue], _ name: String) throws -> MicroDollars? {
        guard let value = fields[name], value != .null else { return nil }
        guard case .number(let dollarsPerToken) = value else { throw Reason(message: "\(name) is not a number") }
        guard dollarsPerToken.isFinite, dollarsPerToken >= 0, dollarsPerToken < 9.2e6 else {
            throw Reason(message: "\(name) is not a non-negative price per token")
        }
        let scaled = dollarsPerToken * 1e12
        let nearest = scaled.rounded()
        // Binary fractions make 3e-06 × 10^12 read 3000000.0000000005: that is 3000000, not one more.
        let micros = abs(scaled - nearest) <= 1e-6 * max(1, nearest) ? nearest : scaled.rounded(.up)
        return MicroDollars(Int64(micros))
    }
}

/// A price file that cannot be used.
package struct PriceFileError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file.
    package var path: String
    /// What is wrong.
    package var message: String
    package var description: String { "\(path): \(message)" }
}
