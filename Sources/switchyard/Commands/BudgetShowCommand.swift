import ArgumentParser
import SwitchyardCore
import SwitchyardServer
import SwitchyardStore

/// `switchyard budget show USER | --key KEY | --team TEAM`.
struct BudgetShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show the limits of a user, key or team, with what is spent, reserved and remaining.",
        discussion: """
            One row per limit: lifetime, and each calendar period (daily, weekly, monthly) set for the scope or \
            by the configuration's defaults. A period's SPENT is what was settled inside its current window; \
            RESERVED is every request in flight.

            Examples:
              switchyard budget show alice
              switchyard budget show --key sy-3kQ9w
              switchyard budget show --team research --format json

            Sample output:
              SCOPE  ID     PERIOD    LIMIT (USD)  SPENT (USD)  RESERVED (USD)  REMAINING (USD)  RESETS AT
              user   alice  lifetime     1.000000     0.004210        0.000000         0.995790  -
              user   alice  daily        0.500000     0.004210        0.000000         0.495790  2026-12-02T00:00:00Z
            """)

    @OptionGroup var options: ConfigOptions
    @OptionGroup var scope: BudgetScopeOptions
    @Option(help: OutputFormat.help) var format: OutputFormat = .table

    func run() async throws {
        let config = try options.resolve().config
        try await LedgerAccess.withStore(config) { store in
            let budgets = store.budgets(config.budgets)
            let (scope, id) = try await scope.resolve(in: store)
            Console.write(BudgetCommand.table(try await budgets.statuses(scope, id: id)).rendered(as: format))
        }
    }
}
