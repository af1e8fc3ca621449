import ArgumentParser
import Foundation
import SwitchyardCore
import SwitchyardServer
import SwitchyardStore

/// `switchyard budget alerts [--since D] [--until D]`.
struct BudgetAlertsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "alerts",
        abstract: "List the budget alerts recorded: a threshold of a limit reached, and whether the webhook has it.",
        discussion: """
            An alert is recorded once per scope, window and threshold (budgets.alerts.thresholds_percent), in the \
            transaction of the settlement that reached it, and posted to budgets.alerts.webhook_url until the \
            webhook accepts it. Newest first.

            Examples:
              switchyard budget alerts
              switchyard budget alerts --since 2026-12-01 --format json

            Sample output:
              ID  SCOPE  SCOPE ID  PERIOD   WINDOW START          THRESHOLD  LIMIT (USD)  SPENT (USD)  SENT (UTC)
               2  team   research  monthly  2026-12-01T00:00:00Z        80%   100.000000    80.001200  2026-12-14 09:12:03.120
            """)

    @OptionGroup var options: ConfigOptions
    @OptionGroup var range: RangeOptions
    @Option(help: OutputFormat.help) var format: OutputFormat = .table

    func run() async throws {
        let config = try options.resolve().config
        let report = range.report
        let alerts = try await LedgerAccess.withStore(config) { store in
            try await store.alerts.list(since: report.since?.date, until: report.until?.date, limit: 1000)
        }
        let table = OutputTable(
            columns: [
                .number("id", "ID"), .text("scope", "SCOPE"), .text("scope_id", "SCOPE ID"), .text("period", "PERIOD"),
                .text("window_start", "WINDOW START"), .number("threshold_percent", "THRESHOLD"),
                .number("limit_usd", "LIMIT (USD)"), .number("spent_usd", "SPENT (USD)"),
                .text("sent_at", "SENT (UTC)"), .number("attempts", "ATTEMPTS"),
            ],
            rows: alerts.map { alert in
                [
                    .integer(Int(alert.id)), .text(alert.scope.rawValue), .text(alert.scopeID),
                    .text(alert.period.rawValue), alert.windowStart.map { .text($0.formatted(.iso8601)) } ?? .none,
                    .text("\(alert.thresholdPercent)%"), .money(alert.limit), .money(alert.spent),
                    alert.sentAt.map { .text(LedgerTimestamp.string(from: $0)) } ?? .none, .integer(alert.attempts),
                ]
            })
        Console.write(table.rendered(as: format))
    }
}
