import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Makes sure one process at a time serves from a ledger file: an exclusive `flock` on the sidecar file
/// `<database>.lock`, held until ``release()`` (or until the value is gone, or the process dies: the operating
/// system drops the lock even on `kill -9`, so a crash never leaves a stale lock behind).
///
/// Two serving processes on one file would each settle the other's reservations at start-up (crash recovery) and
/// race on budgets, so `switchyard serve` takes the lock before recovering reservations; a second `serve` on the
/// same file fails at once with `ledger_in_use`. Read-only commands and `migrate` do not take it.
///
/// ```swift
/// let lock = try LedgerServeLock.acquire(databasePath: config.database.path)   // before recoverOpenReservations()
/// defer { lock.release() }
/// ```
///
/// The lock file holds the serving process's id, for the error message of the next one. It is left in place on
/// release (removing it would let two processes lock two different files of the same name).
public final class LedgerServeLock: Sendable {
    /// The sidecar lock file: the database path followed by `.lock`.
    public let lockFilePath: String
    /// The open descriptor that holds the lock; `nil` once released.
    private let descriptor: Mutex<Int32?>

    private init(lockFilePath: String, descriptor: Int32) {
        self.lockFilePath = lockFilePath
        self.descriptor = Mutex(descriptor)
    }

    /// Takes the serve lock of the ledger at `databasePath`, without waiting.
    ///
    /// A second acquisition fails while this one is held, from another process or from this one.
    /// - Throws: ``LedgerError`` `ledger_in_use` when another process (or another acquisition) holds it, naming the
    ///   file and, when known, the holder's process id; `ledger_open_failed` when the lock file cannot be created.
    public static func acquire(databasePath: String) throws -> LedgerServeLock {
        let path = databasePath + ".lock"
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw LedgerError(
                .openFailed,
                "cannot open the serve lock file '\(path)': \(String(cString: strerror(errno))). Check that its "
                    + "directory exists and is writable by this process.")
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let code = errno
            let holder = readProcessID(descriptor)
            close(descriptor)
            guard code == EWOULDBLOCK else {
                throw LedgerError(
                    .openFailed, "cannot lock the serve lock file '\(path)': \(String(cString: strerror(code)))")
            }
            let who = holder.map { "process \($0)" } ?? "another process"
            throw LedgerError(
                .inUse,
                "the ledger '\(databasePath)' is in use: it is already served by \(who) (it holds '\(path)'). "
                    + "Only one switchyard serve may use a ledger file: stop the other one, or point this one at "
                    + "another database.path.")
        }
        var text = Array("\(getpid())\n".utf8)
        _ = ftruncate(descriptor, 0)
        _ = pwrite(descriptor, &text, text.count, 0)
        return LedgerServeLock(lockFilePath: path, descriptor: descriptor)
    }

    /// Releases the lock (closing its descriptor drops it). Idempotent.
    public func release() {
        guard let descriptor = descriptor.withLock({ $0.take() }) else { return }
        close(descriptor)
    }

    deinit {
        release()
    }

    /// The process id written in the lock file by its holder, if readable.
    private static func readProcessID(_ descriptor: Int32) -> Int32? {
        var buffer = [UInt8](repeating: 0, count: 32)
        let count = pread(descriptor, &buffer, buffer.count, 0)
        guard count > 0 else { return nil }
        return Int32(String(decoding: buffer[..<count].prefix { (0x30...0x39).contains($0) }, as: UTF8.self))
    }
}
