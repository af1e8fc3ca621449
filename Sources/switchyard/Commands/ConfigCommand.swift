import ArgumentParser

/// `switchyard config`: configuration tools.
struct ConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Check a configuration file.",
        discussion: """
            Examples:
              switchyard config check --config switchyard.yaml
            """,
        subcommands: [ConfigCheckCommand.self])
}
