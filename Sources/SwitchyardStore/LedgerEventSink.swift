public import Logging
public import SwitchyardCore
import Synchronization

import struct Foundation.Date

/// Records every ``RouterEvent`` in the ledger through one writer with group commit.
///
/// ``emit(_:)`` only appends to an in-memory buffer under a lock and wakes the writer; it never blocks on I/O.
/// The writer loop, ``run()``, takes everything that arrived while it was busy (optionally waiting a short
/// ``Configuration/window`` for more) and commits it in one transaction, so many events share one commit.
/// ``flush()`` returns once the batch holding every event emitted before the call is committed: the router awaits it
/// before answering, so a client that saw an answer can find its request in the ledger after any crash.
///
/// ```swift
/// let sink = LedgerEventSink(database: database, logger: logger)
/// try await withThrowingDiscardingTaskGroup { group in
///     group.addTask { try await sink.run() }      // as a ServiceLifecycle `Service` in the server
///     sink.emit(.requestReceived(received))
///     try await sink.flush()                      // durable from here on
///     sink.finish()                               // or cancel the task: run() drains, then returns
/// }
/// ```
///
/// **Faults.** When the database cannot be written for a passing reason (a lock held past the busy time-out, a full
/// disk; see `LedgerFault`), the writer keeps the events, in order, and retries with ``Configuration/backoff`` until
/// a commit succeeds; meanwhile ``isAvailable`` is `false` and ``flush()`` throws `ledger_unavailable` after
/// ``Configuration/flushTimeout``. It recovers by itself. An event the database rejects for what it contains (a
/// constraint) is found by retrying the batch event by event, logged and dropped, so it cannot block the others;
/// the flushes waiting for it throw `ledger_write_failed`.
public final class LedgerEventSink: RouterEventSink {
    struct FlushWaiter {
        /// The sequence number of the last event the flush waits for.
        var target: UInt64
        /// When the flush times out, as time since the sink was made (``LedgerEventSink/elapsed``).
        var deadline: Duration
        /// Set once the flushing task suspends.
        var continuation: CheckedContinuation<Void, any Error>?
        /// The outcome, when it arrived before the flushing task suspended.
        var result: Result<Void, any Error>?
    }

    enum Phase { case idle, running, stopped }

    struct State {
        var buffer: [LedgerWrite] = []
        /// Budget writes in `buffer` whose callers wait for them (reservations), so the writer does not linger in
        /// its window. A settlement's caller does not wait: it commits with the request's last events.
        var awaitedBudgetWrites = 0
        /// The writer, while it lingers in its group-commit window.
        var windowWaiter: CheckedContinuation<Void, Never>?
        /// Whether the window the writer lingers in has passed.
        var windowExpired = false
        /// Sequence number of the last emitted event (events are numbered 1, 2, ... in emit order).
        var emitted: UInt64 = 0
        /// Sequence number of the last event handed to the writer.
        var taken: UInt64 = 0
        /// Sequence number of the last event whose commit finished (committed or dropped).
        var processed: UInt64 = 0
        var waiters: [UInt64: FlushWaiter] = [:]
        var nextWaiterID: UInt64 = 0
        /// Whether the task that times out flushes (``sweepTimedOutFlushes()``) is running.
        var sweeping = false
        var writer: CheckedContinuation<Void, Never>?
        var phase: Phase = .idle
        var stopRequested = false
        /// Once stopping while the database fails: whether the shutdown time-out has passed.
        var shutdownExpired: (@Sendable () -> Bool)?
        var consecutiveFailures = 0
        var unwritableSince: Date?
        var lastError: LedgerError?
        var lastErrorAt: Date?
        var droppedEvents = 0

        var pending: Int { Int(clamping: emitted - processed) }
    }

    /// Where the batches are committed.
    let committer: any LedgerCommitter
    let configuration: Configuration
    let clock: any Clock<Duration>
    let logger: Logger
    let state = Mutex(State())
    /// Time on `clock` since the sink was made.
    let elapsed: @Sendable () -> Duration
    /// Told of every transaction the writer tried, once it committed or rolled back.
    let onCommit: (@Sendable (LedgerCommitReport) -> Void)?

    /// - Parameters:
    ///   - database: the ledger to write to.
    ///   - configuration: group commit, flush time-out, backlog bound and retry waits.
    ///   - clock: what the retry waits, the flush time-out and the commit durations are measured on; injectable for
    ///     tests.
    ///   - logger: where failed commits and recoveries are reported.
    ///   - onCommit: told of every transaction the writer tried (its writes, duration and outcome), on the writer's
    ///     loop: it must be quick and must not block (the metrics record it).
    public convenience init(
        database: LedgerDatabase,
        configuration: Configuration = Configuration(),
        clock: any Clock<Duration> = ContinuousClock(),
        logger: Logger = Logger(label: "switchyard.ledger"),
        onCommit: (@Sendable (LedgerCommitReport) -> Void)? = nil
    ) {
        self.init(
            committer: SQLiteLedgerCommitter(database: database), configuration: configuration, clock: clock,
            logger: logger, onCommit: onCommit)
    }

    /// A writer that commits its batches with `committer` (the PostgreSQL store's, or SQLite's).
    package init(
        committer: any LedgerCommitter,
        configuration: Configuration = Configuration(),
        clock: any Clock<Duration> = ContinuousClock(),
        logger: Logger = Logger(label: "switchyard.ledger"),
        onCommit: (@Sendable (LedgerCommitReport) -> Void)? = nil
    ) {
        self.committer = committer
        self.configuration = configuration
        self.clock = clock
        self.logger = logger
        self.onCommit = onCommit
        func elapsed<C: Clock<Duration>>(on clock: C) -> @Sendable () -> Duration {
            let start = clock.now
            return { start.duration(to: clock.now) }
        }
        self.elapsed = elapsed(on: clock)
    }

    // MARK: RouterEventSink

    /// Queues `event` for the writer. Never blocks and never drops an event, even past the backlog bound (the
    /// router stops admitting requests then). Events emitted after the writer stopped are not recorded (and a
    /// later ``flush()`` says so).
    public func emit(_ event: RouterEvent) {
        let writer = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.emitted += 1
            guard state.phase != .stopped else { return nil }
            state.buffer.append(.event(event))
            defer { state.writer = nil }
            return state.writer
        }
        writer?.resume()
    }

    /// Queues a money movement of ``SQLiteBudgetStore`` to commit with the events around it; `write.answer` is
    /// called once it is committed (or failed). A write that fails fast (a reservation, whose caller waits) wakes
    /// the writer at once, even from its group-commit window; a settlement is queued like an event.
    func submit(_ write: BudgetWrite) {
        let wake = state.withLock { state -> [CheckedContinuation<Void, Never>]? in
            guard state.phase != .stopped else { return nil }
            state.emitted += 1
            state.buffer.append(.budget(write))
            var wake = [state.writer]
            state.writer = nil
            if write.faults == .failFast {
                state.awaitedBudgetWrites += 1
                wake.append(state.windowWaiter)
                state.windowWaiter = nil
            }
            return wake.compactMap { $0 }
        }
        guard let wake else { return write.answer(.failure(Self.stoppedError)) }
        for continuation in wake { continuation.resume() }
    }

    /// Returns once every event emitted before the call is committed; throws within
    /// ``Configuration/flushTimeout``.
    ///
    /// Waits for ``run()`` if it has not started yet.
    /// - Throws: ``LedgerError`` `ledger_unavailable` when the events are not committed within the flush time-out
    ///   (they stay queued and are written later); `ledger_write_failed` when the database rejected one of them
    ///   (dropped); `ledger_writer_stopped` if the writer stopped before committing them; `CancellationError` if
    ///   the calling task is cancelled.
    public func flush() async throws {
        let deadline = elapsed() + configuration.flushTimeout
        let registered = try state.withLock {
            state -> (id: UInt64, startSweeping: Bool, lingering: CheckedContinuation<Void, Never>?)? in
            if state.processed >= state.emitted { return nil }
            if state.phase == .stopped { throw Self.stoppedError }
            state.nextWaiterID += 1
            state.waiters[state.nextWaiterID] = FlushWaiter(target: state.emitted, deadline: deadline)
            defer { (state.sweeping, state.windowWaiter) = (true, nil) }
            return (state.nextWaiterID, !state.sweeping, state.windowWaiter)
        }
        guard let registered else { return }
        // Someone waits now: the writer commits without lingering in its window.
        registered.lingering?.resume()
        if registered.startSweeping { Task { await sweepTimedOutFlushes() } }
        try await waitForCommit(registered.id)
    }

    /// Times out the flushes whose deadline passed, sleeping until the next deadline; returns once no flush waits.
    ///
    /// One task for all flushes, started by the first flush that finds none running: a timer per flush would cost
    /// a task and two thread wake-ups on every request. Deadlines only come later than the ones before (each is
    /// `flushTimeout` after its flush began), so a sleep never needs to be cut short.
    private func sweepTimedOutFlushes() async {
        while true {
            let now = elapsed()
            let (expired, next) = state.withLock { state -> ([UInt64], Duration?) in
                var expired: [UInt64] = []
                var next: Duration?
                for (id, waiter) in state.waiters where waiter.result == nil {
                    if waiter.deadline <= now {
                        expired.append(id)
                    } else {
                        next = min(next ?? waiter.deadline, waiter.deadline)
                    }
                }
                if next == nil { state.sweeping = false }
                return (expired, next)
            }
            for id in expired { timeOut(id) }
            guard let next else { return }
            try? await clock.sleep(for: next - now)
        }
    }

    /// `false` while the writer cannot write, its backlog is over ``Configuration/maxPendingEvents``, or it has
    /// stopped: the router then refuses new requests (503 `ledger_unavailable`) before calling any provider.
    public var isAvailable: Bool {
        state.withLock { state in
            state.phase != .stopped && state.unwritableSince == nil && state.pending <= configuration.maxPendingEvents
        }
    }

    // MARK: Lifecycle and health

    /// The writer loop. Run it once, for the life of the process (the server runs it as a `Service`).
    ///
    /// Returns after ``finish()`` or when its task is cancelled, once every event emitted until then is committed:
    /// graceful shutdown loses nothing. If the database cannot be written then, it keeps retrying for
    /// ``Configuration/shutdownTimeout`` and then gives up on what is left (logged). Cancellation does not interrupt
    /// a commit in progress.
    /// - Throws: ``LedgerError`` `ledger_writer_already_running` if called a second time.
    public func run() async throws {
        try state.withLock { state in
            guard state.phase == .idle else {
                throw LedgerError(
                    .writerAlreadyRunning, "LedgerEventSink.run() was called twice; run one writer per sink.")
            }
            state.phase = .running
        }
        // The loop runs in a task of its own that nothing cancels, so that a commit in progress is never interrupted
        // and needs no task of its own to shield it; cancelling `run()` asks the loop to finish instead.
        let loop = Task { await writeUntilStopped() }
        await withTaskCancellationHandler { await loop.value } onCancel: { finish() }
    }

    private func writeUntilStopped() async {
        defer { stopped() }
        while let (events, lastSequence) = await nextBatch() {
            guard await write(events, lastSequence: lastSequence) else {
                abandonQueuedEvents()
                return
            }
        }
    }

    /// Asks ``run()`` to commit what is queued and return. Idempotent.
    public func finish() {
        let waiting = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.stopRequested = true
            defer { (state.writer, state.windowWaiter) = (nil, nil) }
            return [state.writer, state.windowWaiter].compactMap { $0 }
        }
        for continuation in waiting { continuation.resume() }
    }

    /// Whether the writer can write, since when not, its last error and its backlog (for `/readyz`).
    public var health: LedgerWriterHealth {
        state.withLock { state in
            LedgerWriterHealth(
                isWritable: state.unwritableSince == nil && state.phase != .stopped,
                unwritableSince: state.unwritableSince, lastError: state.lastError, lastErrorAt: state.lastErrorAt,
                pendingEvents: state.pending, maxPendingEvents: configuration.maxPendingEvents,
                droppedEvents: state.droppedEvents)
        }
    }

    /// Events emitted but not yet committed.
    public var pendingEventCount: Int {
        state.withLock { $0.pending }
    }

    // MARK: Flush waiters

    static let stoppedError = LedgerError(
        .writerStopped, "the ledger writer has stopped (shutting down); these events were not recorded")

    /// Suspends until the waiter `id` has its outcome; removes it when the task is cancelled.
    private func waitForCommit(_ id: UInt64) async throws {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let immediate = state.withLock { state -> Result<Void, any Error>? in
                    guard var waiter = state.waiters[id], !Task.isCancelled else {
                        state.waiters[id] = nil
                        return .failure(CancellationError())
                    }
                    if let result = waiter.result {
                        state.waiters[id] = nil
                        return result
                    }
                    waiter.continuation = continuation
                    state.waiters[id] = waiter
                    return nil
                }
                if let immediate { continuation.resume(with: immediate) }
            }
        } onCancel: {
            state.withLock { $0.waiters.removeValue(forKey: id) }?.continuation?.resume(throwing: CancellationError())
        }
    }

    /// Fails the waiter `id` with `ledger_unavailable`, unless it has its outcome already.
    private func timeOut(_ id: UInt64) {
        let error = flushTimedOut()
        let continuation = state.withLock { state -> CheckedContinuation<Void, any Error>? in
            guard var waiter = state.waiters[id], waiter.result == nil else { return nil }
            guard let continuation = waiter.continuation else {
                waiter.result = .failure(error)
                state.waiters[id] = waiter
                return nil
            }
            state.waiters[id] = nil
            return continuation
        }
        continuation?.resume(throwing: error)
    }

    private func flushTimedOut() -> LedgerError {
        let (pending, cause) = state.withLock { ($0.pending, $0.unwritableSince == nil ? nil : $0.lastError) }
        let reason = cause.map { "it cannot write: \($0.message)" } ?? "the writer is behind"
        return LedgerError(
            .unavailable,
            "the ledger at '\(committer.location)' did not commit within \(configuration.flushTimeout) (\(reason); "
                + "\(pending) event(s) pending). The events stay queued and are written when it recovers; retry later.")
    }

    /// Settles the waiters: those whose events are all done succeed, those waiting for an event in `lost` (the
    /// first lost sequence number and why) fail. Waiters that have not suspended yet keep their outcome.
    func resolveWaiters(processedThrough sequence: UInt64, lost: (first: UInt64, error: LedgerError)? = nil) {
        let resumptions = state.withLock { state -> [(CheckedContinuation<Void, any Error>, Result<Void, any Error>)] in
            state.processed = max(state.processed, sequence)
            var resumptions: [(CheckedContinuation<Void, any Error>, Result<Void, any Error>)] = []
            for (id, var waiter) in state.waiters where waiter.result == nil {
                let result: Result<Void, any Error>
                if let lost, waiter.target >= lost.first {
                    result = .failure(lost.error)
                } else if waiter.target <= sequence {
                    result = .success(())
                } else {
                    continue
                }
                if let continuation = waiter.continuation {
                    state.waiters[id] = nil
                    resumptions.append((continuation, result))
                } else {
                    waiter.result = result
                    state.waiters[id] = waiter
                }
            }
            return resumptions
        }
        for (continuation, result) in resumptions { continuation.resume(with: result) }
    }

    private func stopped() {
        let (resumptions, unanswered) = state.withLock { state -> ([CheckedContinuation<Void, any Error>], [BudgetWrite]) in
            state.phase = .stopped
            let unanswered = state.buffer.compactMap(\.budgetWrite)
            state.buffer = []
            state.awaitedBudgetWrites = 0
            if state.unwritableSince == nil { state.unwritableSince = Date() }
            var resumptions: [CheckedContinuation<Void, any Error>] = []
            for (id, var waiter) in state.waiters where waiter.result == nil {
                if let continuation = waiter.continuation {
                    state.waiters[id] = nil
                    resumptions.append(continuation)
                } else {
                    waiter.result = .failure(Self.stoppedError)
                    state.waiters[id] = waiter
                }
            }
            return (resumptions, unanswered)
        }
        for write in unanswered { write.answer(.failure(Self.stoppedError)) }
        for continuation in resumptions { continuation.resume(throwing: Self.stoppedError) }
    }
}
