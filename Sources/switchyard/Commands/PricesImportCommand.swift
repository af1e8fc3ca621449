import ArgumentParser
import Foundation
import SwitchyardCore
import SwitchyardProviders
import SwitchyardServer
import SwitchyardSettings

/// `switchyard prices import FILE`: models' prices from a local copy of LiteLLM's price table, as configuration YAML.
struct PricesImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Print (or write) models' prices from a local copy of LiteLLM's price table, as configuration YAML.",
        discussion: """
            FILE is LiteLLM's model_prices_and_context_window.json (download it yourself: Switchyard never fetches \
            prices). Its per-token dollars become the configuration's dollars per million tokens: input, output, \
            cache reads and writes, reasoning and a long-context tier (the *_above_<N>k_tokens fields).

            With --model, prints a models: list of those models, found under the name given. Without it, prints \
            providers: with every model of the configuration, found as <kind>/<model> (gemini/gemini-2.5-pro) or \
            as the model's name, keeping each model's max_output_tokens; models the file lacks are listed on \
            stderr. Paste the models into the configuration, or name the file there instead (prices_file: FILE).

            Examples:
              switchyard prices import model_prices_and_context_window.json --config switchyard.yaml
              switchyard prices import prices.json --model gpt-4o --model claude-sonnet-4-5
              switchyard prices import prices.json --config switchyard.yaml --output prices.yaml
            """)

    @Argument(help: ArgumentHelp("LiteLLM's price table (model_prices_and_context_window.json).", valueName: "file"))
    var file: String

    @Option(
        name: .customLong("model"),
        help: ArgumentHelp("A model to import, as the file names it; repeat for several (default: the configuration's "
            + "models).", valueName: "name"))
    var models: [String] = []

    @Option(help: ArgumentHelp("Write the YAML to this file instead of standard output.", valueName: "path"))
    var output: String?

    @Flag(help: "Replace --output if it exists.")
    var force = false

    @OptionGroup var options: ConfigOptions

    func run() async throws {
        let prices: LiteLLMPriceFile
        do {
            prices = try LiteLLMPriceFile.load(path: file)
        } catch {
            throw CLIError("\(error)")
        }
        let yaml: String
        let count: Int
        if models.isEmpty {
            (yaml, count) = try fromConfiguration(prices)
        } else {
            var entries: [ModelProfile] = []
            var missing: [String] = []
            for name in models {
                guard let found = prices.pricing(for: name, prefixes: []) else {
                    missing.append(name)
                    continue
                }
                var model = ModelProfile(name: name)
                model.pricing = found.pricing
                entries.append(model)
            }
            guard missing.isEmpty else {
                throw CLIError(
                    "'\(file)' has no price for \(missing.map { "'\($0)'" }.joined(separator: ", ")); models are named "
                        + "as its keys are (gpt-4o, claude-sonnet-4-5, gemini/gemini-2.5-pro)")
            }
            (yaml, count) = (ModelProfile.pricedYAML(entries), entries.count)
        }
        let header = "# Prices from \(file) (LiteLLM's price table), in dollars per million tokens.\n"
        guard let output else {
            Console.write(header + yaml)
            return
        }
        if FileManager.default.fileExists(atPath: output), !force {
            throw CLIError("'\(output)' exists; pass --force to replace it")
        }
        do {
            try (header + yaml).write(toFile: output, atomically: true, encoding: .utf8)
        } catch {
            throw CLIError("cannot write '\(output)': \(error.localizedDescription)")
        }
        Console.note("wrote the prices of \(count) model\(count == 1 ? "" : "s") to \(output)")
    }

    /// Every model of the configuration found in `prices`, by provider.
    private func fromConfiguration(_ prices: LiteLLMPriceFile) throws -> (String, Int) {
        let config = try options.resolve().config
        var providers: [(name: String, models: [ModelProfile])] = []
        var count = 0
        for provider in config.providers {
            let kind = provider.kind.rawValue
            var found: [ModelProfile] = []
            for model in provider.profile.models {
                guard let entry = prices.pricing(for: model.name, prefixes: [kind]) else {
                    Console.note(
                        "not in \(file): \(provider.name)/\(model.name) (looked up '\(kind)/\(model.name)' and "
                            + "'\(model.name)')")
                    continue
                }
                var priced = model
                priced.pricing = entry.pricing
                found.append(priced)
            }
            count += found.count
            if !found.isEmpty { providers.append((provider.name, found)) }
        }
        guard count > 0 else { throw CLIError("'\(file)' has none of the configuration's models") }
        return (ModelProfile.pricedYAML(providers: providers), count)
    }
}
