/// Users' API keys, whichever engine holds them: what the server authenticates requests with and the CLI's
/// `keys` commands manage.
///
/// ``APIKeyStore`` keeps them in the SQLite ledger; `PostgresAPIKeyStore` (target `SwitchyardPostgres`) in a
/// PostgreSQL one. Both store only a key's prefix and SHA-256 hash (``APIKeyFormat``), validate and refuse with the
/// same ``APIKeyError`` codes, and fail with ``LedgerError`` `ledger_database_error` when the database does.
///
/// ```swift
/// func issue(_ keys: some APIKeyDirectory) async throws -> String {
///     let created = try await keys.createKey(userID: "alice", name: "laptop")
///     return created.key                                 // shown this once
/// }
/// ```
public protocol APIKeyDirectory: Sendable {
    /// Creates a key for `userID` and returns it: the only time the key itself is available.
    ///
    /// - Parameters:
    ///   - userID: whom requests with the key are made as (1 to 128 characters, no control characters).
    ///   - name: what the key is for, for people; blank means none.
    ///   - kind: a user key or a service key, whose requests may name their end user.
    ///   - team: the team whose budget the key's requests also count against; `nil` for none.
    /// - Throws: ``APIKeyError`` `api_key_invalid_user`, `api_key_invalid_name`, `api_key_invalid_team` or
    ///   `api_key_generation_failed`; ``LedgerError`` `ledger_database_error`.
    func createKey(userID: String, name: String?, kind: APIKeyKind, team: String?) async throws -> CreatedAPIKey

    /// Every key, or every key of one user, in creation order, revoked ones included. Never the keys or hashes.
    func listKeys(userID: String?) async throws -> [APIKeyRecord]

    /// Revokes a key: requests presenting it are refused from now on, by every process using the ledger.
    ///
    /// - Returns: `true` if a working key was revoked; `false` if there is no such key or it was already revoked.
    @discardableResult
    func revokeKey(_ reference: APIKeyReference) async throws -> Bool

    /// Moves a key to `team`, or out of any team with `nil`.
    ///
    /// - Returns: `false` if there is no such key.
    /// - Throws: ``APIKeyError`` `api_key_invalid_team`; ``LedgerError`` `ledger_database_error`.
    @discardableResult
    func setTeam(_ team: String?, of reference: APIKeyReference) async throws -> Bool

    /// What `key` is: valid (and whose), revoked, unknown or malformed. A malformed key is answered without
    /// reading the database; an accepted one has its `last_used_at` written at most about once a minute.
    func check(key: String) async throws -> APIKeyCheck
}

extension APIKeyDirectory {
    /// The user of `key` if it is a working key, `nil` if it is malformed, unknown or revoked.
    public func authenticate(key: String) async throws -> String? {
        try await check(key: key).userID
    }

    /// Creates a user key outside any team (see ``createKey(userID:name:kind:team:)``).
    public func createKey(userID: String, name: String? = nil) async throws -> CreatedAPIKey {
        try await createKey(userID: userID, name: name, kind: .user, team: nil)
    }

    /// Every key, revoked ones included, in creation order.
    public func listKeys() async throws -> [APIKeyRecord] {
        try await listKeys(userID: nil)
    }
}
