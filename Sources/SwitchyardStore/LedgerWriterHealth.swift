public import struct Foundation.Date

/// What ``LedgerEventSink/health`` reports: whether the ledger writer can write, since when it cannot, why, and
/// how far behind it is. What `/readyz` shows.
public struct LedgerWriterHealth: Sendable, Hashable {
    /// The last commit succeeded (or none has failed yet) and the writer has not stopped.
    public var isWritable: Bool
    /// When the writer stopped being able to write; `nil` while ``isWritable``.
    public var unwritableSince: Date?
    /// The latest failure: a database fault it retried (code `ledger_unavailable`) or an event the database rejected
    /// and that was dropped (`ledger_write_failed`). Kept after the writer recovers.
    public var lastError: LedgerError?
    /// When ``lastError`` happened.
    public var lastErrorAt: Date?
    /// Events emitted and not yet committed.
    public var pendingEvents: Int
    /// The backlog bound (``LedgerEventSink/Configuration/maxPendingEvents``).
    public var maxPendingEvents: Int
    /// Events dropped since start because the database rejected them (never because it was unavailable).
    public var droppedEvents: Int

    /// Writable and the backlog within its bound: the sink takes new requests (``LedgerEventSink/isAvailable``).
    public var isAvailable: Bool { isWritable && pendingEvents <= maxPendingEvents }

    public init(
        isWritable: Bool, unwritableSince: Date?, lastError: LedgerError?, lastErrorAt: Date?, pendingEvents: Int,
        maxPendingEvents: Int, droppedEvents: Int
    ) {
        self.isWritable = isWritable
        self.unwritableSince = unwritableSince
        self.lastError = lastError
        self.lastErrorAt = lastErrorAt
        self.pendingEvents = pendingEvents
        self.maxPendingEvents = maxPendingEvents
        self.droppedEvents = droppedEvents
    }
}
