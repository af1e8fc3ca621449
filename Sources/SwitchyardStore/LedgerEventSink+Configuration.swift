extension LedgerEventSink {
    /// Group commit, recovery and backlog settings.
    ///
    /// ```swift
    /// let sink = LedgerEventSink(
    ///     database: database,
    ///     configuration: .init(window: .milliseconds(1), flushTimeout: .seconds(10), maxPendingEvents: 100_000))
    /// ```
    public struct Configuration: Sendable {
        /// How long the writer waits after the first event of a batch for more to arrive, unless a ``flush()`` or
        /// a budget reservation is already waiting or the batch is full; one arriving meanwhile ends the wait. Zero
        /// (the default) commits at once whatever arrived while the previous commit ran, which already groups events
        /// under load without adding latency.
        public var window: Duration
        /// The most events committed in one transaction; larger backlogs are split. Bounds how long a budget
        /// reservation can wait behind an event commit. Default 2,048.
        public var maxBatchSize: Int
        /// How long ``flush()`` waits for its events to commit before it throws `ledger_unavailable` (the events
        /// stay queued and are written later). Default 10 s.
        public var flushTimeout: Duration
        /// The backlog above which ``isAvailable`` is `false`, so the router admits no new request until the writer
        /// catches up. Events are never dropped for it: requests already admitted still record theirs. Default
        /// 100,000 events (a request emits about 4 to 8; some tens of megabytes of memory).
        public var maxPendingEvents: Int
        /// The waits between retries of a commit that failed for a passing reason. Default 50 ms doubling to 2 s.
        public var backoff: LedgerBackoff
        /// How long ``run()``, once asked to stop, keeps retrying while the database cannot be written before it
        /// gives up on the events still queued (logged with their count). Default 10 s.
        public var shutdownTimeout: Duration

        /// - Parameters:
        ///   - window: group-commit window; zero unless given.
        ///   - maxBatchSize: events per transaction; 2,048 unless given.
        ///   - flushTimeout: how long a flush waits; 10 s unless given.
        ///   - maxPendingEvents: the backlog bound of ``isAvailable``; 100,000 unless given.
        ///   - backoff: retry waits; 50 ms doubling to 2 s unless given.
        ///   - shutdownTimeout: how long stopping keeps retrying; 10 s unless given.
        public init(
            window: Duration = .zero,
            maxBatchSize: Int = 2048,
            flushTimeout: Duration = .seconds(10),
            maxPendingEvents: Int = 100_000,
            backoff: LedgerBackoff = LedgerBackoff(),
            shutdownTimeout: Duration = .seconds(10)
        ) {
            self.window = window
            self.maxBatchSize = max(1, maxBatchSize)
            self.flushTimeout = max(.zero, flushTimeout)
            self.maxPendingEvents = max(0, maxPendingEvents)
            self.backoff = backoff
            self.shutdownTimeout = max(.zero, shutdownTimeout)
        }
    }
}
