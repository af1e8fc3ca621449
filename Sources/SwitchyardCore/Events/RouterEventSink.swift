/// Where the router sends its ``RouterEvent``s: the SQLite ledger in production, memory in tests.
///
/// `emit` must be cheap and never block (it is on every request's path); `flush` is awaited once at the end of each
/// request so that a client never sees an answer whose record could still be lost.
public protocol RouterEventSink: Sendable {
    /// Accepts an event. Must not block or suspend.
    func emit(_ event: RouterEvent)

    /// Returns once every event emitted before the call is durably recorded.
    ///
    /// Must not wait forever: a sink that cannot write throws within its own bounded flush time-out.
    func flush() async throws

    /// Whether the sink can record a new request now. `false` while it cannot write (its store is failing) or its
    /// backlog is full; the router then refuses new requests with ``RoutingError/Code/ledgerUnavailable`` before
    /// any provider is called.
    var isAvailable: Bool { get }
}

extension RouterEventSink {
    public var isAvailable: Bool { true }
}
