import ArgumentParser
import SwitchyardCore
import SwitchyardServer
import SwitchyardStore

/// `switchyard budget verify`.
struct BudgetVerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check that every budgets row equals the sum of that user's ledger rows.",
        discussion: """
            spent must equal the sum of settle and adjust rows, reserved the sum of reserve rows less settle and \
            release rows. Prints the users that differ and exits 1 if any do; prints nothing on stdout in table \
            form and exits 0 when all match. A service running on the same file may hold reservations in flight, \
            which match the ledger too.

            Examples:
              switchyard budget verify
              switchyard budget verify --format json

            Sample output (exit code 1):
              USER   SPENT (BUDGETS)  SPENT (LEDGER)  RESERVED (BUDGETS)  ...
              alice         0.900000        0.004210            0.000000  ...
              error: 1 budget differs from the ledger: alice
            """)

    @OptionGroup var options: ConfigOptions
    @Option(help: OutputFormat.help) var format: OutputFormat = .table

    func run() async throws {
        let config = try options.resolve().config
        try await LedgerAccess.withBudgets(config) { budgets in
            let (discrepancies, checked) = try await Progress.while("verifying budgets against the ledger") {
                (try await budgets.verify(), try await budgets.allStatuses().count)
            }
            let table = OutputTable(
                columns: [
                    .text("user", "USER"), .number("stored_spent_usd", "SPENT (BUDGETS)"),
                    .number("ledger_spent_usd", "SPENT (LEDGER)"), .number("stored_reserved_usd", "RESERVED (BUDGETS)"),
                    .number("ledger_reserved_usd", "RESERVED (LEDGER)"),
                ],
                rows: discrepancies.map { entry in
                    [
                        .text(entry.userID), .money(entry.storedSpent), .money(entry.ledgerSpent),
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
                let users = discrepancies.map(\.userID)
                let noun = users.count == 1 ? "budget differs" : "budgets differ"
                throw CLIError("\(users.count) \(noun) from the ledger: \(users.joined(separator: ", "))")
            }
            Console.note("ok: all \(checked) budgets match the ledger")
        }
    }
}
