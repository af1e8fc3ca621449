import ArgumentParser

/// `switchyard report`: the ledger's cost and reliability reports.
struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Cost, reliability and breaker reports, and the latest requests, from the ledger.",
        discussion: """
            Reports read the ledger the service writes (--db, else $SWITCHYARD_DB, else the configuration's \
            database.path) and never change it. Money is shown in dollars with six decimals, exact to the \
            micro-dollar the ledger stores. Times are UTC.

            Examples:
              switchyard report costs --by user --since 2026-11-01
              switchyard report reliability --by model --format json
              switchyard report requests --user alice
            """,
        subcommands: [
            ReportCostsCommand.self, ReportReliabilityCommand.self, ReportBreakersCommand.self,
            ReportRequestsCommand.self, ReportRequestCommand.self,
        ])
}
