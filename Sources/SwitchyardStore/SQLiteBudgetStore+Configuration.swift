extension SQLiteBudgetStore {
    /// How the budget store rides out database faults.
    public struct Configuration: Sendable {
        /// How many times ``SQLiteBudgetStore/settle(_:actualCost:)`` tries a settlement that fails for a passing
        /// reason before it parks it in memory for ``SQLiteBudgetStore/run()`` to write later. Each try may wait
        /// the database's busy time-out. Default 2.
        public var settleAttempts: Int
        /// The waits between tries of a settlement, and between rounds of writing parked ones. Default 50 ms
        /// doubling to 2 s.
        public var backoff: LedgerBackoff
        /// How long ``SQLiteBudgetStore/run()``, once asked to stop, keeps trying to write parked settlements before
        /// it leaves them to the crash rule of the next start-up. Default 10 s.
        public var shutdownTimeout: Duration

        /// - Parameters:
        ///   - settleAttempts: tries before parking a settlement; 2 unless given (at least 1).
        ///   - backoff: retry waits; 50 ms doubling to 2 s unless given.
        ///   - shutdownTimeout: how long stopping keeps writing parked settlements; 10 s unless given.
        public init(
            settleAttempts: Int = 2, backoff: LedgerBackoff = LedgerBackoff(), shutdownTimeout: Duration = .seconds(10)
        ) {
            self.settleAttempts = max(1, settleAttempts)
            self.backoff = backoff
            self.shutdownTimeout = max(.zero, shutdownTimeout)
        }
    }
}
