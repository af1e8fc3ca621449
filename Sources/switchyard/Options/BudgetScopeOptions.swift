import ArgumentParser
import SwitchyardCore
import SwitchyardStore
import SwitchyardServer

/// Which budget scope a `budget` command is about: a user (the argument), an API key (`--key`) or a team (`--team`).
struct BudgetScopeOptions: ParsableArguments {
    @Argument(help: "The user id (the `user` of requests).") var user: String?

    @Option(
        name: .customLong("key"),
        help: ArgumentHelp("An API key by id or prefix (sy-…, see `keys list`), instead of a user.", valueName: "key"))
    var key: String?

    @Option(help: ArgumentHelp("A team (see `keys create --team`), instead of a user.", valueName: "team"))
    var team: String?

    func validate() throws {
        let given = [user, key, team].compactMap { $0 }
        guard given.count == 1 else { throw ValidationError("name one user, or --key KEY, or --team TEAM") }
        if given[0].isEmpty { throw ValidationError("the user id, key or team must not be empty") }
    }

    /// The scope and its id; a key given by prefix is looked up in the ledger.
    func resolve(in store: LedgerStore) async throws -> (scope: BudgetScope, id: String) {
        if let user { return (.user, user) }
        if let team { return (.team, team) }
        let key = key ?? ""
        if let id = Int64(key) { return (.key, String(id)) }
        let keys = try await store.keys().listKeys()
        guard let found = keys.first(where: { key.hasPrefix($0.prefix) || $0.prefix.hasPrefix(key) && key.count >= 4 })
        else {
            throw CLIError("no API key with id or prefix '\(key)' in the ledger; `switchyard keys list` shows them")
        }
        return (.key, String(found.id))
    }
}

