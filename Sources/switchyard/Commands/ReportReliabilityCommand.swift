import ArgumentParser
import SwitchyardStore

/// `switchyard report reliability`: success rates, failovers, escalations, breaker trips and latency.
struct ReportReliabilityCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reliability",
        abstract: "Success rates, failovers, escalations, breaker trips and latency per provider or model.",
        discussion: """
            ATTEMPTS counts finished provider calls; SUCCESS RATE is successful calls over calls; FAILOVERS are \
            failed calls after which the request moved on to another call; BREAKER TRIPS are transitions of the \
            provider's circuit breaker to open; P50/P95 MS are latency percentiles of successful calls. The table \
            starts with a line about the requests themselves; JSON holds it under "requests"; CSV has only rows.

            Examples:
              switchyard report reliability
              switchyard report reliability --by model --since 2026-11-20
              switchyard report reliability --format json | jq '.requests'
            """)

    @OptionGroup var options: ConfigOptions
    @OptionGroup var range: RangeOptions

    @Option(
        name: .customLong("by"), help: ArgumentHelp("One row per provider or per model.", valueName: "provider|model"))
    var grouping: ReliabilityReport.Grouping = .provider

    @Option(help: OutputFormat.help)
    var format: OutputFormat = .table

    func run() async throws {
        let request = ReliabilityReport.Request(range: range.report, groupedBy: grouping)
        try await ReportOutput.run(
            request, options: options, format: format, progress: "computing the reliability report"
        ) { report, format in
            let table = Self.table(report.entries, byModel: report.groupedBy == .model)
            guard format == .table else { return table.rendered(as: .csv) }
            return Self.summary(report.requests) + "\n" + table.rendered(as: .table)
        }
    }

    static func summary(_ requests: ReliabilityReport.Requests) -> String {
        let rate = requests.successRate.map { " (\(Cell.percent($0)))" } ?? ""
        let statuses = requests.byStatus.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
        return "requests: \(requests.total) finished, \(requests.successes) succeeded\(rate), "
            + "\(requests.failedOver) failed over, \(requests.escalated) escalated"
            + (statuses.isEmpty ? "" : " (\(statuses.joined(separator: ", ")))")
    }

    static func table(_ entries: [ReliabilityReport.Entry], byModel: Bool) -> OutputTable {
        var columns: [OutputTable.Column] = [.text("provider", "PROVIDER")]
        if byModel { columns.append(.text("model", "MODEL")) }
        columns += [
            .number("requests", "REQUESTS"), .number("attempts", "ATTEMPTS"), .number("successes", "SUCCESSES"),
            .number("success_rate", "SUCCESS RATE"), .number("failovers", "FAILOVERS"),
            .number("escalations", "ESCALATIONS"), .number("breaker_trips", "BREAKER TRIPS"),
            .number("p50_latency_ms", "P50 MS"), .number("p95_latency_ms", "P95 MS"),
        ]
        var table = OutputTable(columns: columns)
        for entry in entries {
            var row: [Cell] = [.text(entry.provider)]
            if byModel { row.append(entry.model.map(Cell.text) ?? .none) }
            row += [
                .integer(entry.requests), .integer(entry.attempts), .integer(entry.successes),
                entry.successRate.map(Cell.ratio) ?? .none, .integer(entry.failovers), .integer(entry.escalations),
                .integer(entry.breakerTrips), entry.p50LatencyMs.map(Cell.integer) ?? .none,
                entry.p95LatencyMs.map(Cell.integer) ?? .none,
            ]
            table.rows.append(row)
        }
        return table
    }
}
