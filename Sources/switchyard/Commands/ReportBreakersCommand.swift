import ArgumentParser
import SwitchyardStore

/// `switchyard report breakers`: every circuit-breaker transition of a range.
struct ReportBreakersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "breakers",
        abstract: "Each provider's circuit-breaker transitions over a range, with the state it started in.",
        discussion: """
            One row per transition, oldest first, after a row per provider with the state its last transition \
            before the range left it in (FROM empty). JSON is the body of GET /reports/breakers.

            Examples:
              switchyard report breakers --since 2026-11-20
              switchyard report breakers --format csv > breakers.csv
            """)

    @OptionGroup var options: ConfigOptions
    @OptionGroup var range: RangeOptions

    @Option(help: ArgumentHelp("The most transitions listed, 1 to 50000.", valueName: "n"))
    var limit = BreakerTimeline.Request.defaultLimit

    @Option(help: OutputFormat.help)
    var format: OutputFormat = .table

    func validate() throws {
        try ValidationError.check(limit, in: 1...BreakerTimeline.Request.maximumLimit, option: "limit")
    }

    func run() async throws {
        let request = BreakerTimeline.Request(range: range.report, limit: limit)
        try await ReportOutput.run(request, options: options, format: format, progress: "reading the breakers") {
            report, format in
            var table = OutputTable(columns: [
                .text("provider", "PROVIDER"), .text("at", "AT"), .text("from", "FROM"), .text("to", "TO"),
                .text("reason", "REASON"),
            ])
            for provider in report.providers {
                table.rows.append([.text(provider.provider), .text("(start)"), .none, .text(provider.stateAtSince), .none])
                for transition in provider.transitions {
                    table.rows.append([
                        .text(provider.provider), .text(transition.at), .text(transition.from), .text(transition.to),
                        .text(transition.reason),
                    ])
                }
            }
            let note = report.truncated && format == .table ? "(more transitions than --limit: the newest are left out)\n" : ""
            return table.rendered(as: format) + note
        }
    }
}
