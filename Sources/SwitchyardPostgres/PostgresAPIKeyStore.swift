public import Logging
import PostgresNIO
public import SwitchyardStore
import Synchronization

public import struct Foundation.Date

/// Users' API keys in the PostgreSQL ledger's `api_keys` table, with the semantics of ``APIKeyStore``: only a
/// prefix and a SHA-256 hash are stored, a key is shown once, and revoking takes effect at the next request on
/// every instance (``check(key:)`` reads the table each time and caches nothing but when it last wrote
/// `last_used_at`).
///
/// A key is inserted with `ON CONFLICT DO NOTHING`: a draw whose prefix (or, impossibly, whole key) is taken,
/// by this instance or another one at the same moment, inserts nothing and is drawn again.
///
/// ```swift
/// try await PostgresLedger.withLedger(location) { ledger in
///     let keys = PostgresAPIKeyStore(ledger: ledger)
///     let created = try await keys.createKey(userID: "alice", name: "laptop")
///     try await keys.authenticate(key: created.key)      // "alice"
///     try await keys.revokeKey(.prefix(created.record.prefix))
/// }
/// ```
public final class PostgresAPIKeyStore: APIKeyDirectory {
    /// The ledger holding the keys.
    public let ledger: PostgresLedger
    private let now: @Sendable () -> Date
    private let generateKey: @Sendable () -> String
    private let throttle: Mutex<APIKeyUseThrottle>
    private let logger: Logger

    /// - Parameters:
    ///   - ledger: the PostgreSQL ledger.
    ///   - lastUsedInterval: the least time between two writes of one key's `last_used_at`. Default one minute.
    ///   - now: the wall clock for `created_at`, `revoked_at` and `last_used_at`; injectable for tests.
    ///   - logger: where a failed `last_used_at` write is reported (the key is accepted anyway). Keys are never
    ///     logged.
    public convenience init(
        ledger: PostgresLedger,
        lastUsedInterval: Duration = .seconds(60),
        now: @escaping @Sendable () -> Date = { Date() },
        logger: Logger = Logger(label: "switchyard.keys")
    ) {
        self.init(
            ledger: ledger, lastUsedInterval: lastUsedInterval, now: now, logger: logger,
            generateKey: { APIKeyFormat.generate() })
    }

    /// As the public init, with the key source replaced (tests draw clashing keys with it).
    init(
        ledger: PostgresLedger,
        lastUsedInterval: Duration,
        now: @escaping @Sendable () -> Date,
        logger: Logger,
        generateKey: @escaping @Sendable () -> String
    ) {
        self.ledger = ledger
        self.now = now
        self.logger = logger
        self.generateKey = generateKey
        self.throttle = Mutex(APIKeyUseThrottle(interval: lastUsedInterval))
    }

    // MARK: Managing keys

    public func createKey(
        userID: String, name: String? = nil, kind: APIKeyKind = .user, team: String? = nil
    ) async throws -> CreatedAPIKey {
        try APIKeyStore.validate(userID: userID)
        if let team { try APIKeyStore.validate(team: team) }
        let name = try APIKeyStore.normalized(name: name)
        let at = LedgerTimestamp.string(from: now())
        let createdAt = LedgerTimestamp.date(from: at) ?? now()
        for _ in 0..<APIKeyStore.maximumDraws {
            let key = generateKey()
            let prefix = APIKeyFormat.displayPrefix(of: key)
            // Each draw is a statement of its own: a clash inserts nothing (it waits for a concurrent insert of the
            // same prefix to commit or roll back first) and leaves nothing to roll back.
            let rows = try await run("cannot create an API key for user '\(userID)'") {
                try await ledger.rows(
                    """
                    INSERT INTO api_keys (key_prefix, key_hash, user_id, name, created_at, kind, team)
                    VALUES (\(prefix), \(APIKeyFormat.hash(key)), \(userID), \(name), \(at), \(kind.rawValue), \(team))
                    ON CONFLICT DO NOTHING
                    RETURNING id
                    """)
            }
            guard let row = rows.first else { continue }  // the prefix (or the key) is taken: draw again
            let id = try row.decode(Int64.self)
            let record = APIKeyRecord(
                id: id, prefix: prefix, userID: userID, name: name, createdAt: createdAt, kind: kind, team: team)
            return CreatedAPIKey(key: key, record: record)
        }
        throw APIKeyError(
            .generationFailed,
            "could not draw an unused key in \(APIKeyStore.maximumDraws) tries; the random source is not random")
    }

    public func listKeys(userID: String? = nil) async throws -> [APIKeyRecord] {
        let select = "SELECT id, key_prefix, user_id, name, created_at, revoked_at, last_used_at, kind, team FROM api_keys"
        let query: PostgresQuery =
            if let userID {
                "\(unescaped: select) WHERE user_id = \(userID) ORDER BY id"
            } else {
                "\(unescaped: select) ORDER BY id"
            }
        let rows = try await run("cannot list API keys") { try await ledger.rows(query) }
        return try rows.map { row in
            let (id, prefix, user, name, createdAt, revokedAt, lastUsedAt, kind, team) = try row.decode(
                (Int64, String, String, String?, String, String?, String?, String, String?).self)
            return APIKeyRecord(
                id: id, prefix: prefix, userID: user, name: name,
                createdAt: LedgerTimestamp.date(from: createdAt) ?? Date(timeIntervalSince1970: 0),
                revokedAt: revokedAt.flatMap(LedgerTimestamp.date(from:)),
                lastUsedAt: lastUsedAt.flatMap(LedgerTimestamp.date(from:)),
                kind: APIKeyKind(rawValue: kind) ?? .user, team: team)
        }
    }

    @discardableResult
    public func revokeKey(_ reference: APIKeyReference) async throws -> Bool {
        var binds = PostgresBindings()
        binds.append(LedgerTimestamp.string(from: now()))
        let condition = reference.condition(binding: &binds)
        let query = PostgresQuery(
            unsafeSQL: "UPDATE api_keys SET revoked_at = $1 WHERE \(condition) AND revoked_at IS NULL RETURNING id",
            binds: binds)
        return try await !run("cannot revoke \(reference)") { try await ledger.rows(query) }.isEmpty
    }

    @discardableResult
    public func setTeam(_ team: String?, of reference: APIKeyReference) async throws -> Bool {
        if let team { try APIKeyStore.validate(team: team) }
        var binds = PostgresBindings()
        if let team { binds.append(team) } else { binds.appendNull() }
        let condition = reference.condition(binding: &binds)
        let query = PostgresQuery(
            unsafeSQL: "UPDATE api_keys SET team = $1 WHERE \(condition) RETURNING id", binds: binds)
        return try await !run("cannot set the team of \(reference)") { try await ledger.rows(query) }.isEmpty
    }

    // MARK: Authenticating

    /// The user of `key` if it is a working key, `nil` if it is malformed, unknown or revoked.
    public func authenticate(key: String) async throws -> String? {
        try await check(key: key).userID
    }

    /// What `key` is: valid (and whose), revoked, unknown or malformed.
    ///
    /// A malformed key is answered without reading the database. Otherwise one indexed read by hash, plus, at most
    /// once a minute per key, a write of `last_used_at` (whose failure is logged and does not refuse the key).
    /// - Throws: ``LedgerError`` `ledger_database_error` when the table cannot be read.
    public func check(key: String) async throws -> APIKeyCheck {
        guard APIKeyFormat.isWellFormed(key) else { return .malformed }
        let hash = APIKeyFormat.hash(key)
        let rows = try await run("cannot look up an API key") {
            try await ledger.rows(
                "SELECT id, user_id, revoked_at, last_used_at, kind, team FROM api_keys WHERE key_hash = \(hash)")
        }
        guard let row = rows.first else { return .unknown }
        let (id, userID, revokedAt, lastUsed, kind, team) = try row.decode(
            (Int64, String, String?, String?, String, String?).self)
        guard revokedAt == nil else { return .revoked }
        let identity = APIKeyIdentity(keyID: id, userID: userID, kind: APIKeyKind(rawValue: kind) ?? .user, team: team)
        let now = now()
        let record = throttle.withLock {
            $0.shouldRecord(keyID: id, storedLastUse: lastUsed.flatMap(LedgerTimestamp.date(from:)), now: now)
        }
        if record { await recordUse(of: id, at: now) }
        return .valid(identity)
    }

    /// Writes `last_used_at`, never moving it backwards. A failure is logged, not thrown.
    private func recordUse(of id: Int64, at date: Date) async {
        let at = LedgerTimestamp.string(from: date)
        do {
            _ = try await ledger.rows(
                """
                UPDATE api_keys SET last_used_at = \(at)
                WHERE id = \(id) AND (last_used_at IS NULL OR last_used_at < \(at))
                """)
        } catch {
            logger.warning(
                "could not record the use of an API key",
                metadata: [
                    "key_id": "\(id)", "error": "\(PostgresFault.describe(error))", "database": "\(ledger.location)",
                ])
        }
    }

    /// Runs `body`; a database error becomes ``LedgerError`` `ledger_database_error` saying `what` failed, as in
    /// ``APIKeyStore``.
    private func run<Result: Sendable>(_ what: String, _ body: () async throws -> Result) async throws -> Result {
        do {
            return try await body()
        } catch let error where !(error is CancellationError) {
            throw LedgerError(.databaseError, "\(what) in \(ledger.location): \(PostgresFault.describe(error))")
        }
    }
}

extension APIKeyReference {
    /// The `api_keys` condition that finds the key, its value appended to `binds` as the next `$n`.
    fileprivate func condition(binding binds: inout PostgresBindings) -> String {
        let column: String
        switch self {
        case .id(let id):
            column = "id"
            binds.append(id)
        case .prefix(let prefix):
            column = "key_prefix"
            binds.append(prefix)
        case .key(let key):
            column = "key_hash"
            binds.append(APIKeyFormat.hash(key))
        }
        return "\(column) = $\(binds.count)"
    }
}
