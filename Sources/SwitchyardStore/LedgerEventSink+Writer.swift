import Logging
import SwitchyardCore
import Synchronization

import struct Foundation.Date

extension LedgerEventSink {
    /// Waits for events, then takes every queued event. `nil` once stopping and nothing is left.
    func nextBatch() async -> ([RouterEvent], UInt64)? {
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
    /// - Returns: `false` if it gave up (stopping, and the database still failing after the shutdown time-out).
    func write(_ events: [RouterEvent], lastSequence: UInt64) async -> Bool {
        var sequence = lastSequence - UInt64(events.count)
        var start = events.startIndex
        while start < events.endIndex {
            let end = min(start + configuration.maxBatchSize, events.endIndex)
            guard await write(chunk: Array(events[start..<end]), after: sequence) else { return false }
            sequence += UInt64(end - start)
            start = end
        }
        return true
    }

    /// Commits one chunk whose first event has sequence number `sequence + 1`, retrying database faults until they
    /// pass; if the database rejects the chunk, commits it event by event and drops the rejected events.
    private func write(chunk: [RouterEvent], after sequence: UInt64) async -> Bool {
        while let error = await commit(chunk) {
            guard LedgerFault.isRetryable(error) else {
                logger.warning(
                    "ledger batch rejected; writing it event by event to find the events at fault",
                    metadata: ["events": "\(chunk.count)", "error": "\(error)"])
                return await writeEventByEvent(chunk, after: sequence)
            }
            guard await backOff(after: error) else { return false }
        }
        recovered()
        resolveWaiters(processedThrough: sequence + UInt64(chunk.count))
        return true
    }

    private func writeEventByEvent(_ chunk: [RouterEvent], after sequence: UInt64) async -> Bool {
        events: for (offset, event) in chunk.enumerated() {
            let eventSequence = sequence + UInt64(offset) + 1
            while let error = await commit([event]) {
                guard LedgerFault.isRetryable(error) else {
                    recovered()
                    dropped(event, sequence: eventSequence, error: error)
                    continue events
                }
                guard await backOff(after: error) else { return false }
            }
            recovered()
            resolveWaiters(processedThrough: eventSequence)
        }
        return true
    }

    /// Commits `events` in one transaction; the error if it failed.
    private func commit(_ events: [RouterEvent]) async -> (any Error)? {
        do {
            try await database.writeTransaction(.uncancellable) { db in try LedgerEventRecorder.record(events, in: db) }
            return nil
        } catch {
            return error
        }
    }

    // MARK: Faults

    /// Records a database fault, then waits before the next retry.
    /// - Returns: `false` instead of waiting when stopping and the shutdown time-out has passed.
    private func backOff(after error: any Error) async -> Bool {
        // A writer cancelled while it retries stops like one cancelled while it waits for events.
        if Task.isCancelled { finish() }
        let now = Date()
        let failure = LedgerError(
            .unavailable, "the ledger at '\(database.path)' cannot be written: \(error). Retrying with backoff.")
        let (failures, since, expired) = state.withLock { state in
            state.consecutiveFailures += 1
            if state.unwritableSince == nil { state.unwritableSince = now }
            state.lastError = failure
            state.lastErrorAt = now
            if state.stopRequested, state.shutdownExpired == nil {
                state.shutdownExpired = LedgerTime.deadline(after: configuration.shutdownTimeout, on: clock)
            }
            return (state.consecutiveFailures, state.unwritableSince ?? now, state.shutdownExpired?() ?? false)
        }
        guard !expired else { return false }
        let delay = configuration.backoff.delay(afterFailures: failures)
        logger.warning(
            "ledger cannot be written; keeping the events and retrying",
            metadata: [
                "error": "\(error)", "failures": "\(failures)", "since": "\(since)", "retry_in": "\(delay)",
                "pending_events": "\(pendingEventCount)",
            ])
        await LedgerTime.pause(for: delay, on: clock)
        return true
    }

    /// The database answered (a commit succeeded, or it rejected an event): leaves the failing state, if the writer
    /// was in it.
    private func recovered() {
        let recovery = state.withLock { state -> (failures: Int, since: Date)? in
            defer { state.consecutiveFailures = 0 }
            guard let since = state.unwritableSince else { return nil }
            state.unwritableSince = nil
            return (state.consecutiveFailures, since)
        }
        if let recovery {
            logger.notice(
                "ledger writable again",
                metadata: ["failures": "\(recovery.failures)", "unwritable_since": "\(recovery.since)"])
        }
    }

    private func dropped(_ event: RouterEvent, sequence: UInt64, error: any Error) {
        let now = Date()
        let failure = LedgerError(
            .writeFailed,
            "a router event of request '\(event.requestID ?? "-")' was rejected by the ledger at '\(database.path)' "
                + "and dropped: \(error)")
        state.withLock { state in
            state.droppedEvents += 1
            state.lastError = failure
            state.lastErrorAt = now
        }
        logger.error(
            "ledger event rejected and dropped", metadata: ["request_id": "\(event.requestID ?? "-")", "error": "\(error)"])
        resolveWaiters(processedThrough: sequence, lost: (sequence, failure))
    }

    /// Gives up on every event not yet committed: stopping, and the database still failing past the shutdown
    /// time-out.
    func abandonQueuedEvents() {
        let (first, count) = state.withLock { state -> (UInt64, Int) in
            state.buffer = []
            state.taken = state.emitted
            return (state.processed + 1, state.pending)
        }
        let failure = LedgerError(
            .writeFailed,
            "\(count) router event(s) were not written: the ledger at '\(database.path)' could not be written for "
                + "\(configuration.shutdownTimeout) after shutdown began")
        logger.error("ledger events lost at shutdown", metadata: ["events": "\(count)"])
        resolveWaiters(processedThrough: first + UInt64(count) - 1, lost: (first, failure))
    }
}
