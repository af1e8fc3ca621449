import ArgumentParser
import SwitchyardCore
import SwitchyardServer
import SwitchyardStore

/// `switchyard budget set USER --limit-usd X`.
struct BudgetSetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "set",
        abstract: "Set one user's spending limit, or return them to the default.",
        discussion: """
            The amount is read exactly: 25, 0.50 and 0.000001 are fine; more than six decimals is an error. A \
            limit below what the user already spent is allowed: their further requests are refused (HTTP 402). \
            Creates the ledger file if it does not exist yet.

            Examples:
              switchyard budget set alice --limit-usd 25
              switchyard budget set bob --limit-usd 0.50
              switchyard budget set alice --default
            """)

    @OptionGroup var options: ConfigOptions

    @Option(name: .customLong("limit-usd"), help: ArgumentHelp("The new limit in dollars.", valueName: "dollars"))
    var limit: DollarAmount?

    @Flag(name: .customLong("default"), help: "Remove the user's override so the configured default applies.")
    var useDefault = false

    @Option(help: OutputFormat.help) var format: OutputFormat = .table
    @Argument(help: "The user id.") var user: String

    func validate() throws {
        if (limit == nil) == !useDefault {
            throw ValidationError("give either --limit-usd DOLLARS or --default")
        }
        if user.isEmpty { throw ValidationError("the user id must not be empty") }
    }

    func run() async throws {
        let config = try options.resolve().config
        try await LedgerAccess.withBudgets(config, writing: true) { budgets in
            try await budgets.setLimit(limit?.amount, for: user)
            let status = try await budgets.status(userID: user)
            BudgetCommand.printStatus(status, format: format)
            Console.note(
                limit == nil
                    ? "\(user) now has the default limit, \(status.limit.formatted)"
                    : "\(user)'s limit is now \(status.limit.formatted)")
        }
    }
}
