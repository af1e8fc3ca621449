/// Where the router sends its ``RouterEvent``s: the SQLite ledger in production, memory in tests.
///
/// `emit` must be cheap and never block (it is on every request's path); `flush` is awaited once at the end of each
/// request so that a client never sees an answer whose record could still be lost.
public protocol RouterEventSink: Sendable {
    /// Accepts an event. Must not block or suspend.
    func emit(_ event: RouterEvent)

    /// Returns once every event emitted before the call is durably recorded.
    func flush() async throws
}
