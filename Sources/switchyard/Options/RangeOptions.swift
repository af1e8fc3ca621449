import ArgumentParser
import Foundation
import SwitchyardStore

/// `--since` and `--until`: the half-open time range `[since, until)` a report covers; all of time by default.
struct RangeOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Start of the range, inclusive: a UTC day (2026-11-01) or an ISO-8601 time (2026-11-01T09:00:00Z).",
            valueName: "date"))
    var since: DateArgument?

    @Option(help: ArgumentHelp("End of the range, exclusive, in the same forms (default: no end).", valueName: "date"))
    var until: DateArgument?

    func validate() throws {
        if let since, let until, since.date >= until.date {
            throw ValidationError("--since (\(since.text)) must be before --until (\(until.text))")
        }
    }

    /// The range as reports take it: the arguments as typed are what their JSON shows; `null` when open.
    var report: ReportRange {
        ReportRange(
            since: since.map { ReportRange.Bound($0.date, text: $0.text) },
            until: until.map { ReportRange.Bound($0.date, text: $0.text) })
    }

    /// The range's start; the Unix epoch when not given.
    var lowerBound: Date { report.lowerBound }
    /// The range's end; far in the future when not given.
    var upperBound: Date { report.upperBound }
}
