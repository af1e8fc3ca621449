import ArgumentParser
import SwitchyardCore
import SwitchyardServer
import SwitchyardStore

/// `switchyard report request <id>`: one request's trail.
struct ReportRequestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "request",
        abstract: "One request's trail: its provider calls, what else happened to it, and the money it moved.",
        discussion: """
            The id is the one a client got in x-switchyard-request-id. The table lists the calls; JSON (the body \
            of GET /reports/requests/{id}) also has the events (skipped targets, escalations, queueing) and the \
            money (reserve, settle, release).

            Examples:
              switchyard report request sy_0mx5q4praijuxsz16uzm
              switchyard report request sy_0mx5q4praijuxsz16uzm --format json | jq .money
            """)

    @OptionGroup var options: ConfigOptions

    @Argument(help: "The request id.")
    var id: String

    @Option(help: OutputFormat.help)
    var format: OutputFormat = .table

    func run() async throws {
        let trail = try await LedgerAccess.withStore(try options.resolve().config) { store in
            try await store.report(RequestTrail.Request(id: id))
        }
        guard let trail else {
            throw CLIError("the ledger has no request '\(id)'; see `switchyard report requests`")
        }
        guard format != .json else { return Console.write(try ReportOutput.json(trail)) }
        var table = OutputTable(columns: [
            .number("seq", "#"), .text("tier", "TIER"), .text("provider", "PROVIDER"), .text("model", "MODEL"),
            .text("outcome", "OUTCOME"), .number("http_status", "HTTP"), .text("error", "ERROR"),
            .number("cost_usd", "COST (USD)"), .number("latency_ms", "LATENCY MS"),
        ])
        for attempt in trail.request.attempts {
            table.rows.append([
                .integer(attempt.seq), attempt.tier.map(Cell.text) ?? .none, .text(attempt.provider),
                .text(attempt.model), .text(attempt.outcome), attempt.httpStatus.map(Cell.integer) ?? .none,
                attempt.error.map(Cell.text) ?? .none, .money(attempt.cost), attempt.latencyMs.map(Cell.integer) ?? .none,
            ])
        }
        let request = trail.request
        let head =
            format == .table
            ? "\(request.id): \(request.status), user \(request.user), \(request.cost.decimalString) USD, "
                + "created \(request.createdAt)\n" : ""
        Console.write(head + table.rendered(as: format))
    }
}
