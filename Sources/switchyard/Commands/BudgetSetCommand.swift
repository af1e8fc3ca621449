import ArgumentParser
import SwitchyardCore
import SwitchyardServer
import SwitchyardStore

/// `switchyard budget set USER | --key KEY | --team TEAM --limit-usd X [--period P]`.
struct BudgetSetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "set",
        abstract: "Set a limit of a user, key or team, or return it to the configured default.",
        discussion: """
            A limit is over the scope's lifetime (the default) or per calendar day, week (from Monday) or month \
            in budgets.time_zone; a scope may have one of each, and a request must fit all of them, and those of \
            its key and team. The amount is read exactly: 25, 0.50 and 0.000001 are fine; more than six decimals \
            is an error. A limit below what is already spent is allowed: further requests are refused (HTTP \
            402). Creates the ledger file if it does not exist yet.

            Examples:
              switchyard budget set alice --limit-usd 25
              switchyard budget set alice --period daily --limit-usd 0.50
              switchyard budget set --team research --period monthly --limit-usd 100
              switchyard budget set --key 7 --limit-usd 20
              switchyard budget set alice --period daily --default
            """)

    @OptionGroup var options: ConfigOptions
    @OptionGroup var scope: BudgetScopeOptions

    @Option(name: .customLong("limit-usd"), help: ArgumentHelp("The new limit in dollars.", valueName: "dollars"))
    var limit: DollarAmount?

    @Option(help: ArgumentHelp("lifetime (default), daily, weekly or monthly.", valueName: "period"))
    var period: BudgetPeriod = .lifetime

    @Flag(name: .customLong("default"), help: "Remove the limit so the configured default (if any) applies.")
    var useDefault = false

    @Option(help: OutputFormat.help) var format: OutputFormat = .table

    func validate() throws {
        if (limit == nil) == !useDefault {
            throw ValidationError("give either --limit-usd DOLLARS or --default")
        }
    }

    func run() async throws {
        let config = try options.resolve().config
        try await LedgerAccess.withStore(config, writing: true) { store in
            let budgets = store.budgets(config.budgets)
            let (scope, id) = try await scope.resolve(in: store)
            try await budgets.setLimit(limit?.amount, scope: scope, id: id, period: period)
            let statuses = try await budgets.statuses(scope, id: id)
            Console.write(BudgetCommand.table(statuses).rendered(as: format))
            let current = statuses.first { $0.period == period }
            let name = "the \(period.rawValue) limit of \(scope.rawValue) '\(id)'"
            Console.note(current.map { "\(name) is now \($0.limit.formatted)" } ?? "\(name) is now none")
        }
    }
}
