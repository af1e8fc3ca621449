import ArgumentParser
import SwitchyardServer
import SwitchyardStore

/// `switchyard report costs`: money spent on provider calls, grouped by user, key, team, provider, model or period.
struct ReportCostsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "costs",
        abstract: "Money spent on provider calls, grouped by user, key, team, provider, model or period.",
        discussion: """
            Counts every provider call that finished in the range (failed calls and escalated ones too), by the \
            time it started, so the total is what the providers charged. Group by several dimensions by \
            repeating --by. Tables end with a TOTAL row; CSV has only the groups; JSON has both.

            Examples:
              switchyard report costs
              switchyard report costs --by provider --by model --since 2026-11-01
              switchyard report costs --since 2026-11-01 --until 2026-12-01
              switchyard report costs --by day --format csv > costs.csv
              switchyard report costs --by team --period month
              switchyard report costs --by key --since 2026-11-01
              switchyard report costs --by model --since 2026-11-01 --reprice --config switchyard.yaml

            --reprice adds what each group's calls would cost at the configuration's prices today, computed \
            from the tokens recorded for every call (cached, cache-write and reasoning tokens priced as such); the \
            ledger is not changed. Calls of a model the configuration no longer has keep their billed cost and \
            are counted as UNPRICED.

            Sample output:
              USER   REQUESTS  ATTEMPTS  PROMPT TOKENS  COMPLETION TOKENS  COST (USD)
              alice        12        15            420               1830    0.004210
              bob           3         3             96                402    0.000283
              -----  --------  --------  -------------  -----------------  ----------
              TOTAL        15        18            516               2232    0.004493
            """)

    @OptionGroup var options: ConfigOptions
    @OptionGroup var range: RangeOptions

    @Option(
        name: .customLong("by"),
        help: ArgumentHelp(
            "Group by user, key, team, provider, model, hour, day, week or month; repeat to group by several (default: "
                + "user).", valueName: "dimension"))
    var dimensions: [CostDimension] = []

    @Option(
        help: ArgumentHelp(
            "Also group by calendar period (UTC): hour, day, week (from Monday) or month.", valueName: "period"))
    var period: ReportPeriod?

    enum ReportPeriod: String, ExpressibleByArgument, CaseIterable {
        case hour, day, week, month
        var dimension: CostDimension {
            switch self {
            case .hour: .hour
            case .day: .day
            case .week: .week
            case .month: .month
            }
        }
    }

    @Flag(help: "Also show what the calls would cost at the configuration's prices (the ledger is not changed).")
    var reprice = false

    @Option(help: OutputFormat.help)
    var format: OutputFormat = .table

    func run() async throws {
        var groups = dimensions.isEmpty ? [CostDimension.user] : dimensions
        if let period, !groups.contains(period.dimension) { groups.append(period.dimension) }
        let repricing = reprice ? try options.resolve().config.priceTable : nil
        let request = CostReport.Request(range: range.report, groupedBy: groups, repricing: repricing)
        try await ReportOutput.run(request, options: options, format: format, progress: "computing the cost report") {
            report, format in Self.table(report).rendered(as: format)
        }
    }

    static func table(_ report: CostReport) -> OutputTable {
        let dimensionColumns: [OutputTable.Column] = report.groupedBy.map {
            .text($0.rawValue, $0.rawValue.uppercased())
        }
        let repricedColumns: [OutputTable.Column] =
            report.isRepriced
            ? [.number("repriced_cost_usd", "REPRICED (USD)"), .number("unpriced_attempts", "UNPRICED")] : []
        var table = OutputTable(
            columns: dimensionColumns + [
                .number("requests", "REQUESTS"), .number("attempts", "ATTEMPTS"),
                .number("prompt_tokens", "PROMPT TOKENS"), .number("completion_tokens", "COMPLETION TOKENS"),
                .number("cost_usd", "COST (USD)"),
            ] + repricedColumns)
        func figures(_ row: CostReport.Row) -> [Cell] {
            [
                .integer(row.requests), .integer(row.attempts), .integer(row.promptTokens),
                .integer(row.completionTokens), .money(row.cost),
            ]
                + (report.isRepriced
                    ? [row.repricedCost.map(Cell.money) ?? .none, .integer(row.unpricedAttempts ?? 0)] : [])
        }
        for row in report.rows {
            let keys: [Cell] = report.groupedBy.map { row.values[$0].map(Cell.text) ?? .none }
            table.rows.append(keys + figures(row))
        }
        let totalKeys: [Cell] = report.groupedBy.indices.map { $0 == 0 ? .text("TOTAL") : .text("") }
        table.footer = totalKeys + figures(report.total)
        return table
    }
}
