import ArgumentParser
import SwitchyardCore
import SwitchyardServer
import SwitchyardStore

/// `switchyard budget show USER`.
struct BudgetShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show one user's limit, spent, reserved and remaining dollars.",
        discussion: """
            Examples:
              switchyard budget show alice
              switchyard budget show alice --format json

            Sample output:
              USER   LIMIT (USD)  SPENT (USD)  RESERVED (USD)  REMAINING (USD)
              alice     1.000000     0.004210        0.000000         0.995790
            """)

    @OptionGroup var options: ConfigOptions
    @Option(help: OutputFormat.help) var format: OutputFormat = .table
    @Argument(help: "The user id (the `user` of requests).") var user: String

    func run() async throws {
        let config = try options.resolve().config
        try await LedgerAccess.withBudgets(config) { budgets in
            BudgetCommand.printStatus(try await budgets.status(userID: user), format: format)
        }
    }
}
