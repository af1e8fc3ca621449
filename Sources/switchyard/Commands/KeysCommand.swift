import ArgumentParser
import Foundation
import SwitchyardServer
import SwitchyardStore

/// `switchyard keys`: users' API keys, stored only as hashes in the ledger database.
struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Create, list and revoke users' API keys.",
        discussion: """
            A key identifies its user on the chat endpoints (Authorization: Bearer sy-...); a service key \
            (--service) is held by an application's backend and may name its end users in the request's `user`, \
            each with a budget of their own, the key's budget capping them all. A key may belong to a team, whose \
            budget its requests also count against. Only the key's first \
            8 characters and its SHA-256 hash are stored, so a key is shown once, when it is created. Set \
            keys.required: true in the config to refuse chat requests without a key. A running service sees a \
            new or revoked key at its next request.

            Examples:
              switchyard keys create --user alice --name laptop
              switchyard keys create --user shop-backend --service --team shop
              switchyard keys team 7 --team research
              switchyard keys list --user alice
              switchyard keys revoke sy-AbC12
            """,
        subcommands: [KeysCreateCommand.self, KeysListCommand.self, KeysTeamCommand.self, KeysRevokeCommand.self])

    static func table(_ records: [APIKeyRecord]) -> OutputTable {
        func time(_ date: Date?) -> Cell { date.map { .text(LedgerTimestamp.string(from: $0)) } ?? .none }
        return OutputTable(
            columns: [
                .number("id", "ID"), .text("prefix", "PREFIX"), .text("user", "USER"), .text("kind", "KIND"),
                .text("team", "TEAM"), .text("name", "NAME"),
                .text("created_at", "CREATED (UTC)"), .text("last_used_at", "LAST USED (UTC)"),
                .text("revoked_at", "REVOKED (UTC)"),
            ],
            rows: records.map { record in
                [
                    .integer(Int(record.id)), .text(record.prefix), .text(record.userID), .text(record.kind.rawValue),
                    record.team.map { Cell.text($0) } ?? .none, record.name.map { Cell.text($0) } ?? .none,
                    time(record.createdAt), time(record.lastUsedAt), time(record.revokedAt),
                ]
            })
    }
}

/// `switchyard keys create --user USER [--name NAME]`.
struct KeysCreateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Create an API key for a user and print it once.",
        discussion: """
            The key goes to stdout (nothing else does, so it can be captured); a reminder that it cannot be shown \
            again goes to stderr.

            Examples:
              switchyard keys create --user alice
              KEY=$(switchyard keys create --user ci-bot --name "nightly jobs")
            """)

    @OptionGroup var options: ConfigOptions
    @Option(help: "The user the key belongs to (whose budget pays).") var user: String
    @Option(help: "A label to recognise the key by.") var name: String?
    @Flag(help: "A service key: its requests may name their end user in `user` (each with their own budget).")
    var service = false
    @Option(help: "The team whose budget the key's requests also count against.") var team: String?

    func run() async throws {
        let config = try options.resolve().config
        try await LedgerAccess.withStore(config, writing: true) { store in
            let keys = store.keys()
            let created = try await keys.createKey(
                userID: user, name: name, kind: service ? .service : .user, team: team)
            Console.write(created.key + "\n")
            Console.note(
                "created key \(created.record.prefix)… (id \(created.record.id)) for \(user); store it now, it cannot be "
                    + "shown again")
        }
    }
}

/// `switchyard keys list [--user USER]`.
struct KeysListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List API keys (prefix, user, name, dates; never the key).",
        discussion: """
            Examples:
              switchyard keys list
              switchyard keys list --user alice --format json
            """)

    @OptionGroup var options: ConfigOptions
    @Option(help: "Only this user's keys.") var user: String?
    @Option(help: OutputFormat.help) var format: OutputFormat = .table

    func run() async throws {
        let config = try options.resolve().config
        try await LedgerAccess.withStore(config, writing: true) { store in
            let keys = store.keys()
            let records = try await keys.listKeys(userID: user)
            Console.write(KeysCommand.table(records).rendered(as: format))
        }
    }
}

/// `switchyard keys team ID|PREFIX --team TEAM | --none`.
struct KeysTeamCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "team",
        abstract: "Move an API key to a team, or out of any team.",
        discussion: """
            Requests made from now on count against the new team's budget; earlier ones stay with the team they \
            were made in.

            Examples:
              switchyard keys team 3 --team research
              switchyard keys team sy-AbC12 --none
            """)

    @OptionGroup var options: ConfigOptions
    @Argument(help: "The key's id, its 8-character prefix, or the whole key.") var key: String
    @Option(help: "The team.") var team: String?
    @Flag(help: "No team.") var none = false

    func validate() throws {
        if (team == nil) == !none { throw ValidationError("give either --team TEAM or --none") }
    }

    func run() async throws {
        let config = try options.resolve().config
        try await LedgerAccess.withStore(config, writing: true) { store in
            let keys = store.keys()
            guard try await keys.setTeam(team, of: APIKeyReference(parsing: key)) else {
                throw CLIError("no key matches '\(key)'; see `switchyard keys list`")
            }
            Console.note(team.map { "\(key) is now in team \($0)" } ?? "\(key) is now in no team")
        }
    }
}

/// `switchyard keys revoke ID|PREFIX|KEY`.
struct KeysRevokeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "revoke",
        abstract: "Revoke an API key by its id, its prefix or the whole key.",
        discussion: """
            Requests with a revoked key get HTTP 401 from the next request on.

            Examples:
              switchyard keys revoke 3
              switchyard keys revoke sy-AbC12
            """)

    @OptionGroup var options: ConfigOptions
    @Argument(help: "The key's id, its 8-character prefix, or the whole key.") var key: String

    func run() async throws {
        let config = try options.resolve().config
        try await LedgerAccess.withStore(config, writing: true) { store in
            let keys = store.keys()
            guard try await keys.revokeKey(APIKeyReference(parsing: key)) else {
                throw CLIError("no working key matches '\(key)'; see `switchyard keys list`")
            }
            Console.note("revoked \(key)")
        }
    }
}
