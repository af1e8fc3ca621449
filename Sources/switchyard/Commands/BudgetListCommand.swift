import ArgumentParser
import SwitchyardCore
import SwitchyardServer
import SwitchyardStore

/// `switchyard budget list`.
struct BudgetListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List every user who has a limit override or has spent money.",
        discussion: """
            Examples:
              switchyard budget list
              switchyard budget list --format json | jq -r '.[].user'
            """)

    @OptionGroup var options: ConfigOptions
    @Option(help: OutputFormat.help) var format: OutputFormat = .table

    func run() async throws {
        let config = try options.resolve().config
        try await LedgerAccess.withBudgets(config) { budgets in
            Console.write(BudgetCommand.table(try await budgets.allStatuses()).rendered(as: format))
        }
    }
}
