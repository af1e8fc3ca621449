import ArgumentParser

/// `switchyard prices`: the prices calls are billed at, and importing them from LiteLLM's price table.
struct PricesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prices",
        abstract: "Show the prices calls are billed at, or import them from LiteLLM's price table.",
        discussion: """
            Every model is priced per million tokens: input and output, and optionally cached input, cache \
            writes (5-minute and 1-hour), reasoning tokens and a long-context tier (docs/configuration.md, \
            "Prices").

            Examples:
              switchyard prices list --config switchyard.yaml
              switchyard prices import model_prices_and_context_window.json --config switchyard.yaml
              switchyard prices import model_prices_and_context_window.json --model gpt-4o --model claude-sonnet-4-5
            """,
        subcommands: [PricesListCommand.self, PricesImportCommand.self])
}
