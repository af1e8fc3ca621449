import Foundation
import ArgumentParser
import SwitchyardCore
import SwitchyardServer
import SwitchyardStore

/// `switchyard budget verify`.
struct BudgetVerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check that every budget figure kept for speed equals the sum of the ledger's rows.",
        discussion: """
            For each user, key and team, spent must equal the sum of its settle and adjust rows, reserved the sum \
            of its reserve rows less settle and release rows; each stored calendar window's spent must equal the \
            sum of the scope's settle and adjust rows inside it. Prints the figures that differ and exits 1 if \
            any do; prints nothing on stdout in table \
            form and exits 0 when all match. A service running on the same file may hold reservations in flight, \
            which match the ledger too.

            Examples:
              switchyard budget verify
              switchyard budget verify --format json

            Sample output (exit code 1):
              SCOPE  ID     WINDOW    SPENT (BUDGETS)  SPENT (LEDGER)  ...
              user   alice  lifetime         0.900000        0.004210  ...
              error: 1 budget differs from the ledger: user alice
            """)

    @OptionGroup var options: ConfigOptions
    @Option(help: OutputFormat.help) var format: OutputFormat = .table

    func run() async throws {
        let config = try options.resolve().config
        try await LedgerAccess.withBudgets(config) { budgets in
            let (discrepancies, checked) = try await Progress.while("verifying budgets against the ledger") {
                (try await budgets.verify(), try await budgets.allStatuses(scope: nil).count)
            }
            let table = OutputTable(
                columns: [
                    .text("scope", "SCOPE"), .text("id", "ID"), .text("window", "WINDOW"),
                    .number("stored_spent_usd", "SPENT (BUDGETS)"),
                    .number("ledger_spent_usd", "SPENT (LEDGER)"), .number("stored_reserved_usd", "RESERVED (BUDGETS)"),
                    .number("ledger_reserved_usd", "RESERVED (LEDGER)"),
                ],
                rows: discrepancies.map { entry in
                    [
                        .text(entry.scope.rawValue), .text(entry.scopeID),
                        entry.windowStart.map { .text("\(entry.period?.rawValue ?? "") \($0.formatted(.iso8601))") }
                            ?? .text("lifetime"),
                        .money(entry.storedSpent), .money(entry.ledgerSpent),
                        .money(entry.storedReserved), .money(entry.ledgerReserved),
                    ]
                })
            switch format {
            case .table where discrepancies.isEmpty: break
            case .table, .csv: Console.write(table.rendered(as: format))
            case .json:
                Console.write(
                    JSONOutput.object([
                        ("ok", .bool(discrepancies.isEmpty)), ("budgets_checked", .int(checked)),
                        ("discrepancies", .array(table.jsonRows)),
                    ]).rendered())
            }
            guard discrepancies.isEmpty else {
                let users = discrepancies.map { "\($0.scope.rawValue) \($0.scopeID)" }
                let noun = users.count == 1 ? "budget differs" : "budgets differ"
                throw CLIError("\(users.count) \(noun) from the ledger: \(users.joined(separator: ", "))")
            }
            Console.note("ok: all \(checked) budgets match the ledger")
        }
    }
}
