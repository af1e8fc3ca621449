import ArgumentParser
import SwitchyardCore
import SwitchyardProviders
import SwitchyardServer

/// `switchyard prices list`: every configured model's prices in effect, defaults applied.
struct PricesListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "Every configured model's prices in effect (defaults applied), dollars per million tokens.",
        discussion: """
            Prices come from the model's entry, else from prices_file; a price left unset takes its default \
            (cached input and cache writes: the input price, or Anthropic's published multiples for an anthropic \
            provider; reasoning: the output price). LONG CONTEXT is the tier's threshold, with its own row of \
            prices below the model's.

            Examples:
              switchyard prices list --config switchyard.yaml
              switchyard prices list --format json
            """)

    @OptionGroup var options: ConfigOptions
    @Option(help: OutputFormat.help) var format: OutputFormat = .table

    func run() async throws {
        let config = try options.resolve().config
        var table = OutputTable(columns: [
            .text("provider", "PROVIDER"), .text("model", "MODEL"), .text("tier", "TIER"),
            .number("input_usd_per_mtok", "INPUT"), .number("output_usd_per_mtok", "OUTPUT"),
            .number("cached_input_usd_per_mtok", "CACHED INPUT"), .number("cache_write_usd_per_mtok", "CACHE WRITE"),
            .number("cache_write_1h_usd_per_mtok", "CACHE WRITE 1H"), .number("reasoning_usd_per_mtok", "REASONING"),
        ])
        for provider in config.providers {
            for model in provider.profile.models {
                var tiers = [("base", model.pricing.base.rates)]
                if let tier = model.pricing.longContext {
                    tiers.append(("above \(tier.abovePromptTokens) prompt tokens", tier.prices.rates))
                }
                for (name, rates) in tiers {
                    table.rows.append(
                        [.text(provider.name), .text(model.name), .text(name)]
                            + [rates.input, rates.output, rates.cachedInput, rates.cacheWrite, rates.cacheWrite1h,
                                rates.reasoning].map { .money(MicroDollars($0)) })
                }
            }
        }
        Console.write(table.rendered(as: format))
    }
}
