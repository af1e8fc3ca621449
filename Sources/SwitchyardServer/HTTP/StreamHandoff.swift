import Synchronization

/// A bounded hand-off from a request's routing task to its response writer.
///
/// ``send(_:)`` suspends while ``capacity`` items wait, so a client that reads slowly slows the router, which reads
/// its upstream only as fast (providers apply backpressure): nothing between upstream and client grows without
/// bound. ``offer(_:)`` adds an item only if there is room (for heartbeats, which may be dropped).
/// ``expireStalledSender(waitingSince:)`` fails a sender that has waited too long: the client has stopped reading.
final class StreamHandoff<Element: Sendable>: Sendable {
    /// Why a ``send(_:)`` failed: the writer is gone, or the client stopped reading.
    struct Closed: Error {}

    private struct State {
        var buffer: [Element] = []
        var finished: Result<Void, any Error>?
        var receiver: CheckedContinuation<Element?, any Error>?
        var sender: (continuation: CheckedContinuation<Void, any Error>, since: ContinuousClock.Instant)?
        var closed = false
    }

    let capacity: Int
    private let state = Mutex(State())

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// Hands `element` to the writer; waits while the buffer is full.
    /// - Throws: ``Closed`` when the writer stopped or the sender was expired.
    func send(_ element: Element) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let action = state.withLock { state -> (() -> Void)? in
                if state.closed || state.finished != nil { return { continuation.resume(throwing: Closed()) } }
                if let receiver = state.receiver {
                    state.receiver = nil
                    return {
                        receiver.resume(returning: element)
                        continuation.resume()
                    }
                }
                state.buffer.append(element)
                if state.buffer.count <= capacity { return { continuation.resume() } }
                state.sender = (continuation, .now)
                return nil
            }
            action?()
        }
    }

    /// Adds `element` if the buffer has room and the writer waits or may wait; drops it otherwise.
    func offer(_ element: Element) {
        let receiver = state.withLock { state -> CheckedContinuation<Element?, any Error>? in
            guard !state.closed, state.finished == nil else { return nil }
            if let receiver = state.receiver {
                state.receiver = nil
                return receiver
            }
            if state.buffer.count < capacity { state.buffer.append(element) }
            return nil
        }
        receiver?.resume(returning: element)
    }

    /// Ends the hand-off once the buffered items are taken: ``next()`` then returns `nil`, or throws `error`.
    func finish(throwing error: (any Error)? = nil) {
        let receiver = state.withLock { state -> CheckedContinuation<Element?, any Error>? in
            guard state.finished == nil else { return nil }
            state.finished = error.map { .failure($0) } ?? .success(())
            guard state.buffer.isEmpty, let receiver = state.receiver else { return nil }
            state.receiver = nil
            return receiver
        }
        if let receiver {
            if let error { receiver.resume(throwing: error) } else { receiver.resume(returning: nil) }
        }
    }

    /// The next item, waiting for it; `nil` after ``finish(throwing:)`` with no error.
    func next() async throws -> Element? {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Element?, any Error>) in
            let action = state.withLock { state -> () -> Void in
                if !state.buffer.isEmpty {
                    let element = state.buffer.removeFirst()
                    let sender = state.buffer.count <= capacity ? state.sender : nil
                    if sender != nil { state.sender = nil }
                    return {
                        continuation.resume(returning: element)
                        sender?.continuation.resume()
                    }
                }
                switch state.finished {
                case .success?: return { continuation.resume(returning: nil) }
                case .failure(let error)?: return { continuation.resume(throwing: error) }
                case nil:
                    state.receiver = continuation
                    return {}
                }
            }
            action()
        }
    }

    /// The writer stopped: every waiting and later ``send(_:)`` fails.
    func close() {
        let (sender, receiver) = state.withLock { state in
            state.closed = true
            state.buffer.removeAll()
            defer {
                state.sender = nil
                state.receiver = nil
            }
            return (state.sender, state.receiver)
        }
        sender?.continuation.resume(throwing: Closed())
        receiver?.resume(returning: nil)
    }

    /// Fails a ``send(_:)`` that has been waiting since before `instant` (the client stopped reading) and closes
    /// the hand-off. - Returns: whether it did.
    @discardableResult
    func expireStalledSender(waitingSince instant: ContinuousClock.Instant) -> Bool {
        let stalled = state.withLock { state in state.sender.map { $0.since < instant } ?? false }
        if stalled { close() }
        return stalled
    }
}
