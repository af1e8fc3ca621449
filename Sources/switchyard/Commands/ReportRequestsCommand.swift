import ArgumentParser
import SwitchyardStore

/// `switchyard report requests`: the latest requests with every provider call they made.
struct ReportRequestsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "requests",
        abstract: "The latest requests, newest first, with who was tried and how each call went.",
        discussion: """
            CALLS lists each provider call as provider:outcome, in order. `switchyard report request <id>` shows \
            one request's whole trail. JSON is the body of GET /reports/requests.

            Examples:
              switchyard report requests
              switchyard report requests --user alice --limit 5
              switchyard report requests --status failed --since 2026-11-20 --format json
            """)

    @OptionGroup var options: ConfigOptions
    @OptionGroup var range: RangeOptions

    @Option(help: ArgumentHelp("How many, 1 to 500.", valueName: "n"))
    var limit = RecentRequests.Request.defaultLimit

    @Option(help: ArgumentHelp("Only this user's requests.", valueName: "id"))
    var user: String?

    @Option(help: ArgumentHelp("Only requests with this status (success, failed, rejected_budget, ...).", valueName: "status"))
    var status: String?

    @Option(help: OutputFormat.help)
    var format: OutputFormat = .table

    func validate() throws {
        try ValidationError.check(limit, in: 1...RecentRequests.Request.maximumLimit, option: "limit")
    }

    func run() async throws {
        let request = RecentRequests.Request(range: range.report, limit: limit, user: user, status: status)
        try await ReportOutput.run(request, options: options, format: format, progress: "reading the requests") {
            report, format in Self.table(report.requests).rendered(as: format)
        }
    }

    static func table(_ requests: [RequestRecord]) -> OutputTable {
        var table = OutputTable(columns: [
            .text("created_at", "TIME"), .text("id", "REQUEST"), .text("user", "USER"), .text("status", "STATUS"),
            .text("provider", "PROVIDER"), .text("model", "MODEL"), .number("cost_usd", "COST (USD)"),
            .number("latency_ms", "LATENCY MS"), .text("calls", "CALLS"),
        ])
        for request in requests {
            table.rows.append([
                .text(request.createdAt), .text(request.id), .text(request.user), .text(request.status),
                request.provider.map(Cell.text) ?? .none, request.model.map(Cell.text) ?? .none, .money(request.cost),
                request.latencyMs.map(Cell.integer) ?? .none,
                .list(request.attempts.map { "\($0.provider):\($0.outcome)" }),
            ])
        }
        return table
    }
}
