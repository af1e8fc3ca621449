import ArgumentParser
import SwitchyardCore
import SwitchyardServer
import SwitchyardStore

/// `switchyard budget list [--scope S]`.
struct BudgetListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the limits of every user, key and team that has spent money or has a limit of its own.",
        discussion: """
            Examples:
              switchyard budget list
              switchyard budget list --scope team
              switchyard budget list --format json | jq -r '.[] | select(.period == "daily") | .id'
            """)

    @OptionGroup var options: ConfigOptions
    @Option(help: ArgumentHelp("Only user, key or team scopes.", valueName: "scope")) var scope: BudgetScope?
    @Option(help: OutputFormat.help) var format: OutputFormat = .table

    func run() async throws {
        let config = try options.resolve().config
        try await LedgerAccess.withBudgets(config) { budgets in
            Console.write(BudgetCommand.table(try await budgets.allStatuses(scope: scope)).rendered(as: format))
        }
    }
}

