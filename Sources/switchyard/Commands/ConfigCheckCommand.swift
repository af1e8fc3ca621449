import ArgumentParser
import Foundation
import SwitchyardProviders
import SwitchyardServer

/// `switchyard config check`: validates a configuration and prints it with every default filled in.
struct ConfigCheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate a configuration and print the effective configuration.",
        discussion: """
            Reads the file as `switchyard serve` would (--config, else $SWITCHYARD_CONFIG, else the built-in demo; \
            $SWITCHYARD_DB replaces database.path) and prints the configuration in effect as YAML, every default \
            written out. Secrets are never printed: the file holds only the names of the environment variables \
            with API keys, and credentials inside a base_url are masked as ***. A named key variable that is not \
            set is reported as a warning on stderr (serve would refuse to start).

            On an invalid file it prints the problem as file:line: key.path: message on stderr and exits 1.

            Examples:
              switchyard config check --config switchyard.yaml
              SWITCHYARD_CONFIG=switchyard.yaml switchyard config check > effective.yaml

            Sample error:
              error: switchyard.yaml:31: routes[0].tiers[1]: unknown key 'balanse'
              (did you mean 'balance'?) (expected one of: name, targets, balance)
            """)

    @Option(
        name: .long,
        help: ArgumentHelp(
            "The YAML configuration file (default: $SWITCHYARD_CONFIG, else the built-in demo).", valueName: "file"))
    var config: String?

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let (config, source) = try SwitchyardConfig.resolve(configPath: config, environment: environment)
        Console.write(config.effectiveYAML())
        for warning in Self.missingVariables(config, environment: environment) { Console.note("warning: \(warning)") }
        Console.note("ok: \(source) is valid")
    }

    /// Environment variables the configuration names that are not set: `serve` would refuse to start.
    static func missingVariables(_ config: SwitchyardConfig, environment: [String: String]) -> [String] {
        var warnings: [String] = []
        if let variable = config.server.adminKeyEnv, environment[variable, default: ""].isEmpty {
            warnings.append("server.admin_key_env: environment variable \(variable) is not set")
        }
        for provider in config.providers {
            for (key, variable) in provider.options.environmentVariables.sorted(by: { $0.key < $1.key })
            where environment[variable, default: ""].isEmpty {
                warnings.append("providers[\(provider.name)].\(key): environment variable \(variable) is not set")
            }
        }
        return warnings
    }
}
