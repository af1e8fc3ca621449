import ArgumentParser
import SwitchyardCore
import SwitchyardServer
import SwitchyardStore

/// `switchyard budget list [--scope S] [--nearest N]`.
struct BudgetListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the limits of every user, key and team that has spent money or has a limit of its own.",
        discussion: """
            Examples:
              switchyard budget list
              switchyard budget list --scope team
              switchyard budget list --nearest 10      # the ten limits most used, most used first
              switchyard budget list --format json | jq -r '.[] | select(.period == "daily") | .id'
            """)

    @OptionGroup var options: ConfigOptions
    @Option(help: ArgumentHelp("Only user, key or team scopes.", valueName: "scope")) var scope: BudgetScope?
    @Option(help: ArgumentHelp("Only the N limits most used (spent and reserved against the limit), most used first.",
        valueName: "n"))
    var nearest: Int?
    @Option(help: OutputFormat.help) var format: OutputFormat = .table

    func validate() throws {
        if let nearest, nearest < 1 { throw ValidationError("--nearest must be 1 or more, not \(nearest)") }
    }

    func run() async throws {
        let config = try options.resolve().config
        try await LedgerAccess.withBudgets(config) { budgets in
            let statuses = try await budgets.allStatuses(scope: scope)
            Console.write(BudgetCommand.table(nearest.map { statuses.mostUsed($0) } ?? statuses).rendered(as: format))
        }
    }
}

