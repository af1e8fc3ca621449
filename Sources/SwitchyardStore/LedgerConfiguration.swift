/// How the ledger opens and uses its SQLite file.
///
/// ```swift
/// var configuration = LedgerConfiguration()
/// configuration.durability = .powerLoss
/// let database = try LedgerDatabase(path: "/var/lib/switchyard/ledger.sqlite", configuration: configuration)
/// ```
public struct LedgerConfiguration: Sendable {
    /// What a committed transaction survives.
    public enum Durability: String, Sendable, Hashable, Codable, CaseIterable {
        /// `PRAGMA synchronous = NORMAL` in WAL mode: a commit survives any crash of the Switchyard process; an
        /// operating-system crash or power loss may roll back the last commits (never corrupts the file). Fast:
        /// no fsync per commit.
        case processCrash = "process_crash"
        /// `PRAGMA synchronous = FULL`: every commit is fsynced before it returns, so it also survives power loss.
        /// Group commit makes this affordable for events (one fsync per batch); budget reservations pay one each.
        case powerLoss = "power_loss"
    }

    /// How long a statement waits for another connection's lock (for example a `switchyard` command writing to
    /// the same file) before failing with `SQLITE_BUSY`. Default 5 seconds.
    public var busyTimeout: Duration

    /// What a commit survives. Default ``Durability/processCrash``.
    public var durability: Durability

    /// How many read-only connections reports may use at once. Default 4.
    public var maximumReaderCount: Int

    /// The WAL size, in pages of 4 KiB, at which a commit also checkpoints the WAL into the database file
    /// (`PRAGMA wal_autocheckpoint`): a back-stop, reached only when no ``LedgerCheckpointer`` runs or it cannot
    /// keep up, because that commit (and every write waiting behind it) waits for the copy and its fsync. Default
    /// 10,000 (about 40 MB); SQLite's own default is 1,000.
    public var walAutocheckpointPages: Int

    /// - Parameters:
    ///   - busyTimeout: how long to wait for another connection's lock; 5 seconds unless given.
    ///   - durability: what a commit survives; ``Durability/processCrash`` unless given.
    ///   - maximumReaderCount: concurrent read connections; 4 unless given.
    ///   - walAutocheckpointPages: WAL pages at which a commit checkpoints itself; 10,000 unless given.
    public init(
        busyTimeout: Duration = .seconds(5),
        durability: Durability = .processCrash,
        maximumReaderCount: Int = 4,
        walAutocheckpointPages: Int = 10_000
    ) {
        self.busyTimeout = busyTimeout
        self.durability = durability
        self.maximumReaderCount = maximumReaderCount
        self.walAutocheckpointPages = walAutocheckpointPages
    }
}
