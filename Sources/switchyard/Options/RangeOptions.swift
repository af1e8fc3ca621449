import ArgumentParser
import Foundation

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

    /// The range's start; the Unix epoch when not given.
    var lowerBound: Date { since?.date ?? Date(timeIntervalSince1970: 0) }
    /// The range's end; far in the future when not given.
    var upperBound: Date { until?.date ?? Date.distantFuture }

    /// The range as JSON reports show it: the arguments as given, `null` when open.
    var json: [(String, JSONOutput)] {
        [
            ("since", .optional(since) { .string($0.text) }),
            ("until", .optional(until) { .string($0.text) }),
        ]
    }
}
