import Synchronization

/// Keeps every event in memory, in order. For tests and for running without a ledger.
public final class InMemoryEventSink: RouterEventSink {
    private let storage = Mutex<[RouterEvent]>([])
    private let available = Atomic<Bool>(true)

    public init() {}

    /// Whether the sink says it can record requests (``RouterEventSink/isAvailable``); tests turn it off to play a
    /// failing ledger.
    public var isAvailable: Bool {
        get { available.load(ordering: .relaxed) }
        set { available.store(newValue, ordering: .relaxed) }
    }

    public func emit(_ event: RouterEvent) {
        storage.withLock { $0.append(event) }
    }

    public func flush() async throws {}

    /// Every event so far.
    public var events: [RouterEvent] { storage.withLock { $0 } }

    /// The events of one request.
    public func events(for requestID: String) -> [RouterEvent] {
        events.filter { $0.requestID == requestID }
    }
}

/// Drops every event. For benchmarks and callers that do not record.
public struct DiscardingEventSink: RouterEventSink {
    public init() {}
    public func emit(_ event: RouterEvent) {}
    public func flush() async throws {}
}
