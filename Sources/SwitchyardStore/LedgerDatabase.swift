import Foundation
import GRDB
import SwitchyardCore
import Synchronization

/// The ledger's SQLite file: a WAL-mode connection pool (one writer, several readers), migrated when opened.
///
/// Everything else in the store works on one `LedgerDatabase`: ``LedgerEventSink`` records router events,
/// ``SQLiteBudgetStore`` moves money, and the report and query methods read.
///
/// ```swift
/// let database = try LedgerDatabase(path: "ledger.sqlite")      // creates and migrates the file if needed
/// let sink = LedgerEventSink(database: database)                  // run `sink.run()` as a service
/// let budgets = SQLiteBudgetStore(database: database)
/// _ = try await budgets.recoverOpenReservations()                 // once, at start-up
/// let breakers = try database.lastBreakerTransitions()            // restore circuit breakers
/// ```
public final class LedgerDatabase: Sendable {
    /// The database file.
    public let path: String
    /// How the file was opened.
    public let configuration: LedgerConfiguration
    /// GRDB's pool: writes are serialized on its single writer connection; reads run concurrently in WAL snapshots.
    let pool: DatabasePool
    /// Writes in flight through ``writeTransaction(_:_:)`` and ``shortWriteTransaction(_:_:)``.
    let activeWrites = Atomic<Int>(0)
    /// Write transactions committed through this object, for ``LedgerCheckpointer``.
    private let commits = Atomic<UInt64>(0)

    /// How many write transactions this object has committed (it never decreases).
    var commitCount: UInt64 { commits.load(ordering: .acquiring) }

    /// Opens (creating if needed) the ledger file at `path`.
    ///
    /// - Parameters:
    ///   - path: the SQLite file; its directory must exist. The `-wal` and `-shm` files live beside it.
    ///   - configuration: busy timeout, durability and reader count.
    ///   - migrate: apply pending migrations now (the default). Pass `false` to inspect the file with
    ///     ``migrationStatus()`` first, as `switchyard migrate --status` does.
    /// - Throws: ``LedgerError`` with code `ledger_open_failed`, `ledger_migration_failed` or
    ///   `ledger_schema_too_new`.
    public init(path: String, configuration: LedgerConfiguration = LedgerConfiguration(), migrate: Bool = true) throws {
        self.path = path
        self.configuration = configuration
        var grdbConfiguration = Configuration()
        grdbConfiguration.label = "SwitchyardLedger"
        // GRDB's default busy mode fails at once when another connection holds the lock.
        grdbConfiguration.busyMode = .timeout(configuration.busyTimeout.inSeconds)
        grdbConfiguration.maximumReaderCount = max(1, configuration.maximumReaderCount)
        do {
            pool = try DatabasePool(path: path, configuration: grdbConfiguration)
            // Only the writer connection commits, so only it needs these. GRDB sets `synchronous = NORMAL` on it
            // when it enables WAL.
            try pool.writeWithoutTransaction { db in
                if configuration.durability == .powerLoss { try db.execute(sql: "PRAGMA synchronous = FULL") }
                try db.execute(sql: "PRAGMA wal_autocheckpoint = \(max(0, configuration.walAutocheckpointPages))")
            }
        } catch {
            throw LedgerError(
                .openFailed,
                "cannot open the ledger database at '\(path)': \(error). Check that the directory exists and is "
                    + "writable by this process.")
        }
        if migrate { try self.migrate() }
    }

    /// Applies every pending migration. Safe to call on an up-to-date file.
    ///
    /// - Throws: ``LedgerError`` `ledger_schema_too_new` when a newer Switchyard migrated the file (upgrade the
    ///   binary), `ledger_migration_failed` when a migration fails (the file keeps its last good migration).
    public func migrate() throws {
        try migrate(with: LedgerMigrations.migrator())
    }

    /// Applies the migrations up to and including `identifier`, for tests of upgrades from older versions.
    func migrate(upTo identifier: String) throws {
        try migrate(with: LedgerMigrations.migrator(upTo: identifier))
    }

    private func migrate(with migrator: DatabaseMigrator) throws {
        let status = try migrationStatus()
        guard status.unknownApplied.isEmpty else {
            throw LedgerError(
                .schemaTooNew,
                "the ledger at '\(path)' has migrations this binary does not know "
                    + "(\(status.unknownApplied.joined(separator: ", "))): it was written by a newer Switchyard. "
                    + "Run that version or a later one.")
        }
        do {
            try migrator.migrate(pool)
        } catch {
            throw LedgerError(
                .migrationFailed,
                "migrating the ledger at '\(path)' failed: \(error). The file keeps its last applied migration.")
        }
    }

    /// Which known migrations the file has, and any it has that this binary does not know.
    public func migrationStatus() throws -> MigrationStatus {
        let applied: Set<String>
        do {
            applied = try pool.read { db in try LedgerMigrations.migrator().appliedIdentifiers(db) }
        } catch {
            throw LedgerError(.databaseError, "cannot read the migration status of '\(path)': \(error)")
        }
        let known = LedgerMigrations.identifiers
        return MigrationStatus(
            migrations: known.map { .init(identifier: $0, isApplied: applied.contains($0)) },
            unknownApplied: applied.subtracting(known).sorted())
    }

    /// Closes every connection. Further use throws. Not needed before exit: the file is consistent at every commit.
    public func close() throws {
        try pool.close()
    }
}

extension LedgerDatabase {
    /// How a write transaction may be interrupted.
    enum WriteCancellation {
        /// Cancelling the calling task interrupts the transaction (it rolls back and throws).
        case cancellable
        /// The transaction completes even if the calling task is cancelled: for writes that must happen once work
        /// is done (settling money, draining events at shutdown).
        case uncancellable
    }

    /// Runs a short `body` in an `IMMEDIATE` write transaction (taking the write lock up front, so a
    /// read-then-write cannot fail with `SQLITE_BUSY_SNAPSHOT`), with the least latency.
    ///
    /// When no other write of this process is in flight, the transaction runs at once on the calling thread: no hop
    /// to GRDB's writer queue and back, which halves the latency of a budget reservation. Otherwise it waits for the
    /// writer asynchronously, so a caller never blocks a thread behind an event batch.
    func shortWriteTransaction<T: Sendable>(
        _ cancellation: WriteCancellation, _ body: @escaping @Sendable (Database) throws -> T
    ) async throws -> T {
        if activeWrites.compareExchange(expected: 0, desired: 1, ordering: .acquiringAndReleasing).exchanged {
            defer { activeWrites.subtract(1, ordering: .releasing) }
            return try writeNow(body)
        }
        return try await writeTransaction(cancellation, body)
    }

    /// Runs `body` in an `IMMEDIATE` write transaction on GRDB's writer queue, suspending the caller meanwhile.
    func writeTransaction<T: Sendable>(
        _ cancellation: WriteCancellation, _ body: @escaping @Sendable (Database) throws -> T
    ) async throws -> T {
        activeWrites.add(1, ordering: .acquiringAndReleasing)
        defer { activeWrites.subtract(1, ordering: .releasing) }
        switch cancellation {
        case .cancellable:
            return try await pool.writeWithoutTransaction { db in try self.immediateTransaction(db, body) }
        case .uncancellable:
            // An unstructured task does not inherit cancellation; awaiting it keeps the work structured in practice.
            return try await Task {
                try await self.pool.writeWithoutTransaction { db in try self.immediateTransaction(db, body) }
            }.value
        }
    }

    /// The synchronous write, in a synchronous function so that GRDB's blocking overload is the one chosen.
    private func writeNow<T>(_ body: (Database) throws -> T) throws -> T {
        try pool.writeWithoutTransaction { db in try self.immediateTransaction(db, body) }
    }

    /// `BEGIN IMMEDIATE` ... `COMMIT` with cached statements (GRDB's `inTransaction` compiles both each time, a
    /// measurable part of a budget reservation); rolls back and rethrows on error.
    private func immediateTransaction<T>(_ db: Database, _ body: (Database) throws -> T) throws -> T {
        try db.cachedStatement(sql: "BEGIN IMMEDIATE TRANSACTION").execute()
        do {
            let result = try body(db)
            try db.cachedStatement(sql: "COMMIT TRANSACTION").execute()
            commits.add(1, ordering: .releasing)
            return result
        } catch {
            if db.isInsideTransaction { try? db.rollback() }
            throw error
        }
    }
}
