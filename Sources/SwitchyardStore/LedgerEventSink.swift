public import Logging
public import SwitchyardCore
import Synchronization

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
/// If a commit fails, the writer retries the batch one event per transaction so only the failing events are lost,
/// then enters a failed state: every pending and later ``flush()`` throws `ledger_write_failed` (the router must not
/// claim a request is recorded) until ``resetFailure()``. The writer keeps recording later events meanwhile.
public final class LedgerEventSink: RouterEventSink {
    /// Group-commit settings.
    public struct Configuration: Sendable {
        /// How long the writer waits after the first event of a batch for more to arrive, unless a ``flush()`` is
        /// already waiting or the batch is full. Zero (the default) commits at once whatever arrived while the
        /// previous commit ran, which already groups events under load without adding latency.
        public var window: Duration
        /// The most events committed in one transaction; larger backlogs are split. Bounds how long a budget
        /// reservation can wait behind an event commit. Default 2,048.
        public var maxBatchSize: Int

        public init(window: Duration = .zero, maxBatchSize: Int = 2048) {
            self.window = window
            self.maxBatchSize = max(1, maxBatchSize)
        }
    }

    private struct FlushWaiter {
        var target: UInt64
        var continuation: CheckedContinuation<Void, any Error>
    }

    private enum Phase { case idle, running, stopped }

    private struct State {
        var buffer: [RouterEvent] = []
        /// Sequence number of the last emitted event (events are numbered 1, 2, ... in emit order).
        var emitted: UInt64 = 0
        /// Sequence number of the last event handed to the writer.
        var taken: UInt64 = 0
        /// Sequence number of the last event whose commit finished (committed or, on failure, dropped).
        var processed: UInt64 = 0
        var failure: LedgerError?
        var waiters: [UInt64: FlushWaiter] = [:]
        var nextWaiterID: UInt64 = 0
        var writer: CheckedContinuation<Void, Never>?
        var phase: Phase = .idle
        var stopRequested = false
    }

    private let database: LedgerDatabase
    private let configuration: Configuration
    private let logger: Logger
    private let state = Mutex(State())

    /// - Parameters:
    ///   - database: the ledger to write to.
    ///   - configuration: group-commit window and batch size.
    ///   - logger: where failed commits are reported.
    public init(
        database: LedgerDatabase,
        configuration: Configuration = Configuration(),
        logger: Logger = Logger(label: "switchyard.ledger")
    ) {
        self.database = database
        self.configuration = configuration
        self.logger = logger
    }

    // MARK: RouterEventSink

    /// Queues `event` for the writer. Never blocks; events emitted after the writer stopped are not recorded (and
    /// a later ``flush()`` says so).
    public func emit(_ event: RouterEvent) {
        let writer = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.emitted += 1
            guard state.phase != .stopped else { return nil }
            state.buffer.append(event)
            defer { state.writer = nil }
            return state.writer
        }
        writer?.resume()
    }

    /// Returns once every event emitted before the call is committed.
    ///
    /// Waits for ``run()`` if it has not started yet.
    /// - Throws: ``LedgerError`` `ledger_write_failed` if the sink is in the failed state, `ledger_writer_stopped`
    ///   if the writer stopped before committing them; `CancellationError` if the calling task is cancelled.
    public func flush() async throws {
        let id = state.withLock { state in
            state.nextWaiterID += 1
            return state.nextWaiterID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let immediate = state.withLock { state -> Result<Void, any Error>? in
                    if let failure = state.failure { return .failure(failure) }
                    if state.processed >= state.emitted { return .success(()) }
                    if state.phase == .stopped { return .failure(Self.stoppedError) }
                    if Task.isCancelled { return .failure(CancellationError()) }
                    state.waiters[id] = FlushWaiter(target: state.emitted, continuation: continuation)
                    return nil
                }
                if let immediate { continuation.resume(with: immediate) }
            }
        } onCancel: {
            state.withLock { $0.waiters.removeValue(forKey: id) }?.continuation.resume(throwing: CancellationError())
        }
    }

    // MARK: Lifecycle and health

    /// The writer loop. Run it once, for the life of the process (the server runs it as a `Service`).
    ///
    /// Returns after ``finish()`` or when its task is cancelled, once every event emitted until then is committed:
    /// graceful shutdown loses nothing. Cancellation does not interrupt a commit in progress.
    /// - Throws: ``LedgerError`` `ledger_writer_already_running` if called a second time.
    public func run() async throws {
        try state.withLock { state in
            guard state.phase == .idle else {
                throw LedgerError(
                    .writerAlreadyRunning, "LedgerEventSink.run() was called twice; run one writer per sink.")
            }
            state.phase = .running
        }
        defer { stopped() }
        while let (events, lastSequence) = await nextBatch() {
            await commit(events, lastSequence: lastSequence)
        }
    }

    /// Asks ``run()`` to commit what is queued and return. Idempotent.
    public func finish() {
        state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.stopRequested = true
            defer { state.writer = nil }
            return state.writer
        }?.resume()
    }

    /// The commit failure that put the sink in the failed state, if any.
    public var failure: LedgerError? { state.withLock { $0.failure } }

    /// Leaves the failed state (after the cause, such as a full disk, is fixed), so flushes succeed again.
    public func resetFailure() {
        state.withLock { $0.failure = nil }
    }

    /// Events emitted but not yet committed.
    public var pendingEventCount: Int {
        state.withLock { Int($0.emitted - $0.processed) }
    }

    // MARK: Writer

    private static let stoppedError = LedgerError(
        .writerStopped, "the ledger writer has stopped (shutting down); these events were not recorded")

    /// Waits for events, then takes every queued event. `nil` once stopping and nothing is left.
    private func nextBatch() async -> ([RouterEvent], UInt64)? {
        await waitForEvents()
        if configuration.window > .zero {
            let shouldWait = state.withLock { state in
                state.waiters.isEmpty && !state.stopRequested && state.buffer.count < configuration.maxBatchSize
            }
            if shouldWait { try? await Task.sleep(for: configuration.window) }
        }
        return state.withLock { state -> ([RouterEvent], UInt64)? in
            guard !state.buffer.isEmpty else { return nil }
            var events: [RouterEvent] = []
            swap(&events, &state.buffer)
            state.taken += UInt64(events.count)
            return (events, state.taken)
        }
    }

    private func waitForEvents() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let ready = state.withLock { state in
                    if !state.buffer.isEmpty || state.stopRequested { return true }
                    state.writer = continuation
                    return false
                }
                if ready { continuation.resume() }
            }
        } onCancel: {
            finish()
        }
    }

    /// Commits `events` (numbered up to `lastSequence`) in transactions of at most `maxBatchSize` events.
    private func commit(_ events: [RouterEvent], lastSequence: UInt64) async {
        var sequence = lastSequence - UInt64(events.count)
        var start = events.startIndex
        while start < events.endIndex {
            let end = min(start + configuration.maxBatchSize, events.endIndex)
            let chunk = Array(events[start..<end])
            let failure = await commit(chunk)
            sequence += UInt64(chunk.count)
            completed(upTo: sequence, failure: failure)
            start = end
        }
    }

    /// Commits one chunk; on failure retries it one event per transaction. Returns the failure, if any event is lost.
    private func commit(_ chunk: [RouterEvent]) async -> LedgerError? {
        do {
            try await database.writeTransaction(.uncancellable) { db in try LedgerEventRecorder.record(chunk, in: db) }
            return nil
        } catch {
            logger.warning(
                "ledger batch commit failed; retrying event by event",
                metadata: ["events": "\(chunk.count)", "error": "\(error)"])
        }
        var lost = 0
        var lastError: (any Error)?
        for event in chunk {
            do {
                try await database.writeTransaction(.uncancellable) { db in
                    try LedgerEventRecorder.record(event, in: db)
                }
            } catch {
                lost += 1
                lastError = error
                logger.error(
                    "ledger event lost",
                    metadata: ["request_id": "\(event.requestID ?? "-")", "error": "\(error)"])
            }
        }
        guard let lastError else { return nil }
        return LedgerError(
            .writeFailed,
            "\(lost) router event(s) could not be written to the ledger at '\(database.path)': \(lastError). "
                + "Fix the cause (disk space, permissions) and reset the sink's failure state.")
    }

    private func completed(upTo sequence: UInt64, failure: LedgerError?) {
        let resumptions = state.withLock { state -> [(CheckedContinuation<Void, any Error>, Result<Void, any Error>)] in
            state.processed = sequence
            if let failure, state.failure == nil { state.failure = failure }
            var resumptions: [(CheckedContinuation<Void, any Error>, Result<Void, any Error>)] = []
            for (id, waiter) in state.waiters {
                if let failure = state.failure {
                    resumptions.append((waiter.continuation, .failure(failure)))
                } else if waiter.target <= sequence {
                    resumptions.append((waiter.continuation, .success(())))
                } else {
                    continue
                }
                state.waiters.removeValue(forKey: id)
            }
            return resumptions
        }
        for (continuation, result) in resumptions { continuation.resume(with: result) }
    }

    private func stopped() {
        let waiters = state.withLock { state -> [FlushWaiter] in
            state.phase = .stopped
            state.buffer = []
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.continuation.resume(throwing: Self.stoppedError) }
    }
}
