import Foundation
import ArgumentParser
import SwitchyardCore
import SwitchyardServer
import SwitchyardStore

/// `switchyard budget`: spending limits per user, key and team, and a check of the budgets against the ledger.
struct BudgetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "budget",
        abstract: "Show, set, list and verify spending limits of users, API keys and teams.",
        discussion: """
            A user without a lifetime limit of their own has the configuration's budgets.default_limit_usd ($1.00 \
            unless set); periodic defaults come from budgets.users, budgets.keys and budgets.teams, so pass the \
            service's --config for the right defaults. Amounts are dollars, read exactly (at most six decimals). \
            A running service sees a new limit at its next request.

            Examples:
              switchyard budget show alice
              switchyard budget set alice --limit-usd 25
              switchyard budget set --team research --period monthly --limit-usd 100
              switchyard budget list --format csv
              switchyard budget verify
            """,
        subcommands: [
            BudgetShowCommand.self, BudgetSetCommand.self, BudgetListCommand.self, BudgetVerifyCommand.self,
            BudgetAlertsCommand.self,
        ])

    /// The columns of `show`, `set` and `list`: one row per limit.
    static func table(_ statuses: [BudgetStatus]) -> OutputTable {
        OutputTable(
            columns: [
                .text("scope", "SCOPE"), .text("id", "ID"), .text("period", "PERIOD"),
                .number("limit_usd", "LIMIT (USD)"), .number("spent_usd", "SPENT (USD)"),
                .number("reserved_usd", "RESERVED (USD)"), .number("remaining_usd", "REMAINING (USD)"),
                .text("resets_at", "RESETS AT"),
            ],
            rows: statuses.map { status in
                [
                    .text(status.scope.rawValue), .text(status.scopeID), .text(status.period.rawValue),
                    status.isUnlimited ? .none : .money(status.limit), .money(status.spent), .money(status.reserved),
                    status.isUnlimited ? .none : .money(status.remaining),
                    status.resetsAt.map { .text($0.formatted(.iso8601)) } ?? .none,
                ]
            })
    }
}
