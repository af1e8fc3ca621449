import ArgumentParser
import Foundation
import Logging
import SwitchyardCore
import SwitchyardServer
import SwitchyardSettings
import SwitchyardStore

/// The `switchyard` command line: the service, and the operator's tools over the same configuration and ledger.
///
/// Exit codes: 0 success, 1 operational failure (the message is on stderr), 2 usage error.
@main
struct Switchyard: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "switchyard",
        abstract: "An LLM router: one OpenAI-compatible endpoint in front of many providers, with failover, "
            + "budgets and a SQLite ledger of every request.",
        discussion: """
            Every command reads the same configuration (--config, else $SWITCHYARD_CONFIG, else the built-in demo \
            of simulated providers) and the same ledger database (--db, else $SWITCHYARD_DB, else the \
            configuration's database.path, ./switchyard.sqlite by default).

            Results go to stdout; errors, summaries and progress go to stderr. Exit codes: 0 success, \
            1 operational failure, 2 usage error.

            Examples:
              switchyard serve                    # the demo on http://127.0.0.1:8080
              switchyard chat "Write a haiku about trains"
              switchyard report costs --by provider --since 2026-11-01
              switchyard query "SELECT status, count(*) FROM requests GROUP BY status"
            """,
        version: "0.1.0",
        subcommands: [
            ServeCommand.self, MigrateCommand.self, ChatCommand.self, ReportCommand.self, QueryCommand.self,
            BudgetCommand.self, KeysCommand.self, ProvidersCommand.self, PricesCommand.self, ConfigCommand.self,
        ])

    /// Parses and runs the command, mapping failures to the documented exit codes: ArgumentParser's usage errors
    /// (exit 64, `EX_USAGE`) become 2, and operational errors print one `error:` line and exit 1.
    static func main() async {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .info
            return handler
        }
        do {
            var command = try parseAsRoot()
            if var command = command as? any AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
        } catch {
            exit(for: error)
        }
    }

    private static func exit(for error: any Error) -> Never {
        if let code = error as? ExitCode { Foundation.exit(code.rawValue) }
        let code = exitCode(for: error)
        if code == .validationFailure {
            Console.note(fullMessage(for: error))
            Foundation.exit(2)
        }
        if code == .success { exit(withError: error) }  // --help, --version
        Console.note("error: \(message(for: error))")
        Foundation.exit(code == .failure ? 1 : code.rawValue)
    }

    /// One line for an operational error: the error's own description for Switchyard's errors.
    static func message(for error: any Error) -> String {
        switch error {
        case let error as CLIError: error.message
        case let error as ConfigError: error.description
        case let error as LedgerError: error.message
        case let error as SQLQueryError: error.description
        case let error as RoutingError: "\(error.code): \(error.message)"
        default:
            String(describing: error)
        }
    }
}
