import ArgumentParser

/// `switchyard config`: configuration tools.
struct ConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Check a configuration file, or list its keys.",
        discussion: """
            Examples:
              switchyard config check --config switchyard.yaml
              switchyard config keys
            """,
        subcommands: [ConfigCheckCommand.self, ConfigKeysCommand.self])
}
