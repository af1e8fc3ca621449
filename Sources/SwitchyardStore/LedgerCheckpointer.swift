import GRDB
public import Logging
import SwitchyardCore
import Synchronization

/// Copies the ledger's write-ahead log into the database file on a connection of its own, so that no commit waits
/// for a checkpoint.
///
/// SQLite normally checkpoints inside the commit that takes the WAL past `PRAGMA wal_autocheckpoint` pages: that
/// commit copies the log into the database file and fsyncs it, which on a busy disk takes tens to hundreds of
/// milliseconds, and every request waiting on the writer meanwhile stalls with it. The checkpointer instead runs
/// a `PASSIVE` checkpoint every ``Configuration/interval`` (when something was committed since the last one) on
/// its own connection: readers and the writer go on while it copies. The writer's own automatic checkpoint stays
/// as a back-stop at ``LedgerConfiguration/walAutocheckpointPages``, reached only if the checkpointer is not
/// running or cannot keep up.
///
/// ```swift
/// let checkpointer = try LedgerCheckpointer(database: database)
/// try await checkpointer.run()        // as a ServiceLifecycle `Service` in the server; returns when cancelled
/// ```
public final class LedgerCheckpointer: Sendable {
    /// How often the checkpointer looks at the WAL.
    public struct Configuration: Sendable, Hashable {
        /// The time between two checkpoints. Default 10 ms: small checkpoints keep each fsync short (see docs/ledger.md).
        public var interval: Duration

        public init(interval: Duration = .milliseconds(10)) {
            self.interval = interval
        }
    }

    /// What one checkpoint found and did, in WAL frames (one frame is one page of 4 KiB).
    public struct Outcome: Sendable, Hashable {
        /// Frames in the WAL.
        public var walFrames: Int
        /// Frames of the WAL now copied into the database file. When it equals ``walFrames`` the next commit starts
        /// the WAL from its beginning again.
        public var checkpointedFrames: Int
    }

    let database: LedgerDatabase
    let configuration: Configuration
    let clock: any Clock<Duration>
    let logger: Logger
    /// The checkpointer's own connection: a checkpoint on it holds neither the writer nor a reader of the pool.
    private let connection: DatabaseQueue
    private let lastCheckpointedCommit = Mutex<UInt64>(0)

    /// Opens the checkpointer's connection to the ledger's file.
    ///
    /// - Throws: ``LedgerError`` `ledger_open_failed` when the file cannot be opened.
    public init(
        database: LedgerDatabase,
        configuration: Configuration = Configuration(),
        clock: any Clock<Duration> = ContinuousClock(),
        logger: Logger = Logger(label: "switchyard.ledger")
    ) throws {
        self.database = database
        self.configuration = configuration
        self.clock = clock
        self.logger = logger
        var grdbConfiguration = GRDB.Configuration()
        grdbConfiguration.label = "SwitchyardLedgerCheckpointer"
        // A passive checkpoint never waits on a lock; this only bounds opening the connection.
        grdbConfiguration.busyMode = .timeout(database.configuration.busyTimeout.inSeconds)
        do {
            connection = try DatabaseQueue(path: database.path, configuration: grdbConfiguration)
        } catch {
            throw LedgerError(
                .openFailed, "cannot open a checkpoint connection to the ledger at '\(database.path)': \(error)")
        }
    }

    /// Checkpoints every ``Configuration/interval`` until the task is cancelled. A failed checkpoint is logged and
    /// tried again at the next interval (the WAL only grows meanwhile).
    public func run() async {
        while (try? await clock.sleep(for: configuration.interval)) != nil {
            do {
                try checkpointIfCommitted()
            } catch let error as LedgerError where error.code == .unavailable {
                logger.debug("ledger checkpoint skipped", metadata: ["error": "\(error)"])
            } catch {
                logger.warning("ledger checkpoint failed; retrying later", metadata: ["error": "\(error)"])
            }
        }
    }

    /// Runs a `PASSIVE` checkpoint if anything was committed since the last one.
    /// - Returns: what it did, or `nil` when nothing was committed since.
    @discardableResult
    public func checkpointIfCommitted() throws -> Outcome? {
        let commits = database.commitCount
        guard lastCheckpointedCommit.withLock({ $0 }) != commits else { return nil }
        let outcome = try checkpoint()
        lastCheckpointedCommit.withLock { $0 = commits }
        return outcome
    }

    /// Runs a `PASSIVE` checkpoint now: copies what it can of the WAL without waiting for the writer or readers.
    ///
    /// Under steady load a passive checkpoint rarely copies the whole WAL (commits land while it fsyncs), so the
    /// WAL does not start over and grows until the writer's own checkpoint at
    /// ``LedgerConfiguration/walAutocheckpointPages``, which then has only the last frames to copy. (A `RESTART`
    /// checkpoint would start the WAL over sooner, but it holds the writer through its fsync: measured, that put
    /// a stall of tens of milliseconds on one request in a hundred.)
    /// - Throws: ``LedgerError`` `ledger_unavailable` when another checkpoint is running (the writer's back-stop),
    ///   `ledger_database_error` when SQLite fails.
    @discardableResult
    public func checkpoint() throws -> Outcome {
        do {
            let (walFrames, checkpointedFrames) = try connection.writeWithoutTransaction { db in
                try db.checkpoint(.passive)
            }
            return Outcome(walFrames: walFrames, checkpointedFrames: checkpointedFrames)
        } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY {
            throw LedgerError(
                .unavailable, "cannot checkpoint the ledger at '\(database.path)' now (another checkpoint runs): \(error)")
        } catch {
            throw LedgerError(.databaseError, "cannot checkpoint the ledger at '\(database.path)': \(error)")
        }
    }
}
