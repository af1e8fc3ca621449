import ArgumentParser
import SwitchyardServer
import SwitchyardStore

/// `switchyard query`: one read-only SQL statement over the ledger.
struct QueryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "query",
        abstract: "Run one read-only SQL statement against the ledger.",
        discussion: """
            The tables are requests, attempts, breaker_transitions, request_events, budgets and ledger \
            (docs/ledger.md describes every column). Money columns (*_usd_micros) are integer micro-dollars; \
            times are UTC text such as 2026-11-21 09:30:00.000.

            Only reading is allowed: INSERT, UPDATE, DELETE, DDL, ATTACH, VACUUM, most pragmas and more than one \
            statement are refused with exit code 1, and the database is left unchanged. JSON output is \
            {"columns": [...], "rows": [[...]], "truncated": false}.

            Examples:
              switchyard query "SELECT status, count(*) AS n FROM requests
                GROUP BY status"
              switchyard query --format csv --limit 100000 \\
                "SELECT * FROM attempts" > attempts.csv
              switchyard query --format json \\
                "SELECT user_id, spent_usd_micros FROM budgets" | jq '.rows[]'

            Sample output:
              status           n
              success         38
              rejected_budget  2
            """)

    @OptionGroup var options: ConfigOptions

    @Option(help: OutputFormat.help)
    var format: OutputFormat = .table

    @Option(help: ArgumentHelp("The most rows printed; a note on stderr tells when there were more.", valueName: "n"))
    var limit: Int = 1000

    @Option(help: ArgumentHelp("Interrupt the statement after this many seconds.", valueName: "seconds"))
    var timeout: Int = 30

    @Argument(
        help: ArgumentHelp(
            "One SQL statement (SELECT, WITH ... SELECT, or a schema pragma); - reads it from stdin.", valueName: "sql")
    )
    var sql: String

    func validate() throws {
        guard limit >= 1 else { throw ValidationError("--limit must be at least 1") }
        guard timeout >= 1 else { throw ValidationError("--timeout must be at least 1 second") }
    }

    func run() async throws {
        let statement = sql == "-" ? Console.readStandardInput() : sql
        let result = try await LedgerAccess.withStore(try options.resolve().config) { store in
            try await Progress.while("running the query") {
                try await store.query(statement, rowLimit: limit, timeout: .seconds(timeout))
            }
        }
        // SQL results have no declared types: numbers are right-aligned when a column holds only numbers.
        let columns: [OutputTable.Column] = result.columns.enumerated().map { index, name in
            let numeric =
                !result.rows.isEmpty
                && result.rows.allSatisfy { row in
                    switch row[index] {
                    case .integer, .real, .null: true
                    case .text, .blob: false
                    }
                }
            return numeric ? .number(name, name) : .text(name, name)
        }
        let table = OutputTable(columns: columns, rows: result.rows.map { $0.map(Cell.sql) })
        switch format {
        case .table, .csv:
            Console.write(table.rendered(as: format))
        case .json:
            Console.write(
                JSONOutput.object([
                    ("columns", .array(result.columns.map(JSONOutput.string))),
                    ("rows", .array(table.rows.map { .array($0.map(\.json)) })),
                    ("truncated", .bool(result.truncated)),
                ]).rendered())
        }
        if result.truncated {
            Console.note("note: only the first \(limit) rows are shown; raise --limit to see more")
        }
    }
}
