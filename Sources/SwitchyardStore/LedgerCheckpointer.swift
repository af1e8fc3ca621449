import GRDB
public import Logging
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
        /// The time between two checkpoints. Default 250 ms.
        public var interval: Duration
        /// The WAL size, in frames (pages of 4 KiB), from which a checkpoint also starts the WAL over. Default 2,000
        /// (about 8 MB).
        public var restartFrames: Int

        public init(interval: Duration = .milliseconds(250), restartFrames: Int = 2_000) {
            self.interval = interval
            self.restartFrames = restartFrames
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
        // A `RESTART` checkpoint holds new writes while it waits for readers: never wait long.
        grdbConfiguration.busyMode = .timeout(0.01)
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
    /// The WAL starts from its beginning again only once a checkpoint copied all of it, which under steady load a
    /// passive one rarely does (commits land while it copies). So when the WAL has grown past
    /// ``Configuration/restartFrames`` and frames are left, a `RESTART` checkpoint follows: it holds the writer
    /// while it copies the few frames the passive one left (giving up after 10 ms if a reader or the writer is in the
    /// way), and the WAL starts over.
    /// - Throws: ``LedgerError`` `ledger_unavailable` when another checkpoint is running (the writer's back-stop),
    ///   `ledger_database_error` when SQLite fails.
    @discardableResult
    public func checkpoint() throws -> Outcome {
        let restartFrames = configuration.restartFrames
        do {
            let (walFrames, checkpointedFrames) = try connection.writeWithoutTransaction { db in
                let passive = try db.checkpoint(.passive)
                guard passive.walFrameCount >= restartFrames, passive.checkpointedFrameCount < passive.walFrameCount
                else { return passive }
                do {
                    return try db.checkpoint(.restart)
                } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY {
                    // A reader or the writer held on past the short busy time-out: the next interval tries again.
                    return passive
                }
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
