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
        let database = try LedgerAccess.openExisting(config.database)
        defer { try? database.close() }
        let budgets = SQLiteBudgetStore(database: database, defaultLimit: config.budgets.defaultLimit)
        BudgetCommand.printStatus(try await budgets.status(userID: user), format: format)
    }
}

/// `switchyard budget set USER --limit-usd X`.
struct BudgetSetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "set",
        abstract: "Set one user's spending limit, or return them to the default.",
        discussion: """
            The amount is read exactly: 25, 0.50 and 0.000001 are fine; more than six decimals is an error. A \
            limit below what the user already spent is allowed: their further requests are refused (HTTP 402). \
            Creates the ledger file if it does not exist yet.

            Examples:
              switchyard budget set alice --limit-usd 25
              switchyard budget set bob --limit-usd 0.50
              switchyard budget set alice --default
            """)

    @OptionGroup var options: ConfigOptions

    @Option(name: .customLong("limit-usd"), help: ArgumentHelp("The new limit in dollars.", valueName: "dollars"))
    var limit: DollarAmount?

    @Flag(name: .customLong("default"), help: "Remove the user's override so the configured default applies.")
    var useDefault = false

    @Option(help: OutputFormat.help) var format: OutputFormat = .table
    @Argument(help: "The user id.") var user: String

    func validate() throws {
        if (limit == nil) == !useDefault {
            throw ValidationError("give either --limit-usd DOLLARS or --default")
        }
        if user.isEmpty { throw ValidationError("the user id must not be empty") }
    }

    func run() async throws {
        let config = try options.resolve().config
        let database = try LedgerAccess.openForWriting(config.database)
        defer { try? database.close() }
        let budgets = SQLiteBudgetStore(database: database, defaultLimit: config.budgets.defaultLimit)
        try await budgets.setLimit(limit?.amount, for: user)
        let status = try await budgets.status(userID: user)
        BudgetCommand.printStatus(status, format: format)
        Console.note(
            limit == nil
                ? "\(user) now has the default limit, \(status.limit.formatted)"
                : "\(user)'s limit is now \(status.limit.formatted)")
    }
}

/// `switchyard budget list`.
struct BudgetListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List every user who has a limit override or has spent money.",
        discussion: """
            Examples:
              switchyard budget list
              switchyard budget list --format json | jq '.[] | select(.remaining_usd == "0.000000")'
            """)

    @OptionGroup var options: ConfigOptions
    @Option(help: OutputFormat.help) var format: OutputFormat = .table

    func run() async throws {
        let config = try options.resolve().config
        let database = try LedgerAccess.openExisting(config.database)
        defer { try? database.close() }
        let budgets = SQLiteBudgetStore(database: database, defaultLimit: config.budgets.defaultLimit)
        Console.write(BudgetCommand.table(try await budgets.allStatuses()).rendered(as: format))
    }
}

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
              USER   SPENT (BUDGETS)  SPENT (LEDGER)  RESERVED (BUDGETS)  RESERVED (LEDGER)
              alice         0.900000        0.004210            0.000000           0.000000
              error: 1 budget differs from the ledger: alice
            """)

    @OptionGroup var options: ConfigOptions
    @Option(help: OutputFormat.help) var format: OutputFormat = .table

    func run() async throws {
        let config = try options.resolve().config
        let database = try LedgerAccess.openExisting(config.database)
        defer { try? database.close() }
        let budgets = SQLiteBudgetStore(database: database, defaultLimit: config.budgets.defaultLimit)
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
