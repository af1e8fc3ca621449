import ArgumentParser
import SwitchyardCore
import SwitchyardServer
import SwitchyardStore

/// `switchyard budget`: per-user spending limits, and a check of the budgets against the ledger.
struct BudgetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "budget",
        abstract: "Show, set, list and verify per-user spending limits.",
        discussion: """
            A user without an override has the configuration's budgets.default_limit_usd ($1.00 unless set), so \
            pass the service's --config for the right default. Amounts are dollars, read exactly (at most six \
            decimals). A running service sees a new limit at its next request.

            Examples:
              switchyard budget show alice
              switchyard budget set alice --limit-usd 25
              switchyard budget list --format csv
              switchyard budget verify
            """,
        subcommands: [
            BudgetShowCommand.self, BudgetSetCommand.self, BudgetListCommand.self, BudgetVerifyCommand.self,
        ])

    /// The columns of `show`, `set` and `list`.
    static func table(_ statuses: [BudgetStatus]) -> OutputTable {
        OutputTable(
            columns: [
                .text("user", "USER"), .number("limit_usd", "LIMIT (USD)"), .number("spent_usd", "SPENT (USD)"),
                .number("reserved_usd", "RESERVED (USD)"), .number("remaining_usd", "REMAINING (USD)"),
            ],
            rows: statuses.map { status in
                [
                    .text(status.userID), .money(status.limit), .money(status.spent), .money(status.reserved),
                    .money(status.remaining),
                ]
            })
    }

    /// One user's budget: a one-row table, a CSV line, or a JSON object.
    static func printStatus(_ status: BudgetStatus, format: OutputFormat) {
        let table = table([status])
        Console.write(format == .json ? (table.jsonRows.first ?? .null).rendered() : table.rendered(as: format))
    }
}
