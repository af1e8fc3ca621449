import GRDB
public import Logging
import Synchronization

public import struct Foundation.Date

/// Users' API keys in the ledger's `api_keys` table, stored only as a prefix and a SHA-256 hash.
///
/// A key is created for a user and shown once; a request that presents it is made as that user. Revoking takes
/// effect at the next request, in every process using the file: ``check(key:)`` reads the table each time (one
/// indexed lookup by hash) and caches nothing but when it last wrote `last_used_at`.
///
/// ```swift
/// let keys = APIKeyStore(database: database)
/// let created = try await keys.createKey(userID: "alice", name: "laptop")
/// print(created.key)                                     // sy-…, shown this once
/// try await keys.authenticate(key: created.key)          // "alice"
/// try await keys.revokeKey(.prefix(created.record.prefix))
/// try await keys.authenticate(key: created.key)          // nil
/// ```
public final class APIKeyStore: APIKeyDirectory {
    /// The ledger holding the keys.
    public let database: LedgerDatabase
    private let now: @Sendable () -> Date
    private let generateKey: @Sendable () -> String
    private let throttle: Mutex<APIKeyUseThrottle>
    private let logger: Logger

    /// Longest accepted user id, as for the `user` of a request.
    public static let maximumUserIDLength = 128
    /// Longest accepted key name.
    public static let maximumNameLength = 200
    /// Keys drawn before creation gives up on finding an unused prefix (a clash is about 1 in 900 million per key
    /// already issued).
    package static let maximumDraws = 8

    /// - Parameters:
    ///   - database: the ledger.
    ///   - lastUsedInterval: the least time between two writes of one key's `last_used_at`. Default one minute.
    ///   - now: the wall clock for `created_at`, `revoked_at` and `last_used_at`; injectable for tests.
    ///   - logger: where a failed `last_used_at` write is reported (the key is accepted anyway). Keys are never
    ///     logged.
    public convenience init(
        database: LedgerDatabase,
        lastUsedInterval: Duration = .seconds(60),
        now: @escaping @Sendable () -> Date = { Date() },
        logger: Logger = Logger(label: "switchyard.keys")
    ) {
        self.init(
            database: database, lastUsedInterval: lastUsedInterval, now: now, logger: logger,
            generateKey: { APIKeyFormat.generate() })
    }

    /// As the public init, with the key source replaced (tests draw clashing keys with it).
    init(
        database: LedgerDatabase,
        lastUsedInterval: Duration,
        now: @escaping @Sendable () -> Date,
        logger: Logger,
        generateKey: @escaping @Sendable () -> String
    ) {
        self.database = database
        self.now = now
        self.logger = logger
        self.generateKey = generateKey
        self.throttle = Mutex(APIKeyUseThrottle(interval: lastUsedInterval))
    }

    // MARK: Managing keys

    /// Creates a key for `userID` and returns it: the only time the key itself is available.
    ///
    /// - Parameters:
    ///   - userID: whom requests with the key are made as (1 to 128 characters, no control characters); for a
    ///     service key, the user of requests that name none.
    ///   - name: what the key is for, for people (`ci`, `alice laptop`); blank means none.
    ///   - kind: a user key (the default) or a service key, whose requests may name their end user.
    ///   - team: the team whose budget the key's requests also count against; `nil` for none.
    /// - Throws: ``APIKeyError`` `api_key_invalid_user`, `api_key_invalid_name` or `api_key_invalid_team`;
    ///   ``LedgerError`` `ledger_database_error`.
    public func createKey(
        userID: String, name: String? = nil, kind: APIKeyKind = .user, team: String? = nil
    ) async throws -> CreatedAPIKey {
        try Self.validate(userID: userID)
        if let team { try Self.validate(team: team) }
        let name = try Self.normalized(name: name)
        let at = LedgerTimestamp.string(from: now())
        let createdAt = LedgerTimestamp.date(from: at) ?? now()
        let generateKey = generateKey
        do {
            return try await database.writeTransaction(.cancellable) { db in
                for _ in 0..<Self.maximumDraws {
                    let key = generateKey()
                    let prefix = APIKeyFormat.displayPrefix(of: key)
                    do {
                        try db.cachedStatement(sql: Self.insertKey).execute(arguments: [
                            prefix, APIKeyFormat.hash(key), userID, name, at, kind.rawValue, team,
                        ])
                    } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE {
                        continue  // the prefix (or, impossibly, the key) is taken: draw again
                    }
                    let record = APIKeyRecord(
                        id: db.lastInsertedRowID, prefix: prefix, userID: userID, name: name, createdAt: createdAt,
                        kind: kind, team: team)
                    return CreatedAPIKey(key: key, record: record)
                }
                throw APIKeyError(
                    .generationFailed,
                    "could not draw an unused key in \(Self.maximumDraws) tries; the random source is not random")
            }
        } catch let error as DatabaseError {
            throw LedgerError(
                .databaseError, "cannot create an API key for user '\(userID)' in '\(database.path)': \(error)")
        }
    }

    /// Every key, or every key of one user, in creation order, revoked ones included. Never the keys or hashes.
    public func listKeys(userID: String? = nil) async throws -> [APIKeyRecord] {
        do {
            return try await database.pool.read { db in
                let rows =
                    if let userID {
                        try Row.fetchAll(
                            db, sql: Self.selectRecords + " WHERE user_id = ? ORDER BY id", arguments: [userID])
                    } else {
                        try Row.fetchAll(db, sql: Self.selectRecords + " ORDER BY id")
                    }
                return rows.map(Self.record(from:))
            }
        } catch let error as DatabaseError {
            throw LedgerError(.databaseError, "cannot list API keys in '\(database.path)': \(error)")
        }
    }

    /// Revokes a key: requests presenting it are refused from now on, in every process using this ledger.
    ///
    /// - Returns: `true` if a working key was revoked; `false` if there is no such key or it was already revoked.
    @discardableResult
    public func revokeKey(_ reference: APIKeyReference) async throws -> Bool {
        let (column, value) = reference.column
        let at = LedgerTimestamp.string(from: now())
        do {
            return try await database.writeTransaction(.uncancellable) { db in
                try db.execute(
                    sql: "UPDATE api_keys SET revoked_at = ? WHERE \(column) = ? AND revoked_at IS NULL",
                    arguments: [at, value])
                return db.changesCount > 0
            }
        } catch let error as DatabaseError {
            throw LedgerError(.databaseError, "cannot revoke \(reference) in '\(database.path)': \(error)")
        }
    }

    /// Moves a key to `team`, or out of any team with `nil`. Its past requests stay with the team they were made
    /// in (the ledger keeps the team of each request).
    ///
    /// - Returns: `false` if there is no such key.
    @discardableResult
    public func setTeam(_ team: String?, of reference: APIKeyReference) async throws -> Bool {
        if let team { try Self.validate(team: team) }
        let (column, value) = reference.column
        do {
            return try await database.writeTransaction(.uncancellable) { db in
                try db.execute(sql: "UPDATE api_keys SET team = ? WHERE \(column) = ?", arguments: [team, value])
                return db.changesCount > 0
            }
        } catch let error as DatabaseError {
            throw LedgerError(.databaseError, "cannot set the team of \(reference) in '\(database.path)': \(error)")
        }
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
        let found: StoredKey?
        do {
            found = try await database.pool.read { db -> StoredKey? in
                let rows = try Row.fetchCursor(db.cachedStatement(sql: Self.selectByHash), arguments: [hash])
                guard let row = try rows.next() else { return nil }
                return StoredKey(
                    identity: APIKeyIdentity(
                        keyID: row[0], userID: row[1], kind: APIKeyKind(rawValue: row[4]) ?? .user, team: row[5]),
                    isRevoked: (row[2] as String?) != nil, lastUsed: row[3])
            }
        } catch let error as DatabaseError {
            throw LedgerError(.databaseError, "cannot look up an API key in '\(database.path)': \(error)")
        }
        guard let found else { return .unknown }
        guard !found.isRevoked else { return .revoked }
        let now = now()
        let record = throttle.withLock {
            $0.shouldRecord(
                keyID: found.identity.keyID, storedLastUse: found.lastUsed.flatMap(LedgerTimestamp.date(from:)), now: now)
        }
        if record { await recordUse(of: found.identity.keyID, at: now) }
        return .valid(found.identity)
    }

    /// Writes `last_used_at`, never moving it backwards. A failure is logged, not thrown.
    private func recordUse(of id: Int64, at date: Date) async {
        let at = LedgerTimestamp.string(from: date)
        do {
            try await database.shortWriteTransaction(.cancellable) { db in
                try db.cachedStatement(sql: Self.updateLastUsed).execute(arguments: [at, id])
            }
        } catch {
            logger.warning(
                "could not record the use of an API key",
                metadata: ["key_id": "\(id)", "error": "\(error)", "database": "\(database.path)"])
        }
    }

    // MARK: Validation and rows

    /// What authentication reads of a key's row.
    private struct StoredKey: Sendable {
        var identity: APIKeyIdentity
        var isRevoked: Bool
        var lastUsed: String?
    }

    package static func validate(userID: String) throws {
        guard !userID.isEmpty, userID.count <= maximumUserIDLength, !userID.contains(where: isControl) else {
            throw APIKeyError(
                .invalidUser,
                "a key's user id must be 1 to \(maximumUserIDLength) characters without control characters, "
                    + "as the 'user' of a request")
        }
    }

    /// Longest accepted team name.
    public static let maximumTeamLength = 128

    package static func validate(team: String) throws {
        guard !team.isEmpty, team.count <= maximumTeamLength, !team.contains(where: isControl) else {
            throw APIKeyError(
                .invalidTeam,
                "a team name must be 1 to \(maximumTeamLength) characters without control characters")
        }
    }

    /// The name trimmed, `nil` when blank.
    package static func normalized(name: String?) throws -> String? {
        guard let trimmed = name?.trimmingPrefix(while: \.isWhitespace), !trimmed.isEmpty else { return nil }
        var text = String(trimmed)
        while text.last?.isWhitespace == true { text.removeLast() }
        guard text.count <= maximumNameLength, !text.contains(where: isControl) else {
            throw APIKeyError(
                .invalidName,
                "a key's name must be at most \(maximumNameLength) characters without control characters")
        }
        return text
    }

    private static func isControl(_ character: Character) -> Bool {
        character.isNewline || character.unicodeScalars.contains { $0.properties.generalCategory == .control }
    }

    private static func record(from row: Row) -> APIKeyRecord {
        APIKeyRecord(
            id: row[0], prefix: row[1], userID: row[2], name: row[3],
            createdAt: LedgerTimestamp.date(from: row[4]) ?? Date(timeIntervalSince1970: 0),
            revokedAt: (row[5] as String?).flatMap(LedgerTimestamp.date(from:)),
            lastUsedAt: (row[6] as String?).flatMap(LedgerTimestamp.date(from:)),
            kind: APIKeyKind(rawValue: row[7]) ?? .user, team: row[8])
    }

    private static let insertKey = """
        INSERT INTO api_keys (key_prefix, key_hash, user_id, name, created_at, kind, team)
        VALUES (?, ?, ?, ?, ?, ?, ?)
        """
    private static let selectRecords = """
        SELECT id, key_prefix, user_id, name, created_at, revoked_at, last_used_at, kind, team FROM api_keys
        """
    private static let selectByHash = """
        SELECT id, user_id, revoked_at, last_used_at, kind, team FROM api_keys WHERE key_hash = ?
        """
    private static let updateLastUsed = """
        UPDATE api_keys SET last_used_at = ?1 WHERE id = ?2 AND (last_used_at IS NULL OR last_used_at < ?1)
        """
}
