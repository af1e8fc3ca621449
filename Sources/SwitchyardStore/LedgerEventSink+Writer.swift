import Logging
import SwitchyardCore
import Synchronization

import struct Foundation.Date

extension LedgerEventSink {
    /// Waits for writes, then takes every queued one. `nil` once stopping and nothing is left.
    func nextBatch() async -> ([LedgerWrite], UInt64)? {
        await waitForEvents()
        if configuration.window > .zero { await lingerInWindow() }
        return state.withLock { state -> ([LedgerWrite], UInt64)? in
            guard !state.buffer.isEmpty else { return nil }
            var writes: [LedgerWrite] = []
            swap(&writes, &state.buffer)
            state.awaitedBudgetWrites = 0
            state.taken += UInt64(writes.count)
            return (writes, state.taken)
        }
    }

    /// Waits up to ``Configuration/window`` for more events, unless someone waits for a commit already (a flush or
    /// a reservation) or the batch is full; a flush or reservation arriving meanwhile ends the wait at once.
    private func lingerInWindow() async {
        let window = configuration.window
        state.withLock { $0.windowExpired = false }
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                try? await Task.sleep(for: window)
                self.state.withLock { state in
                    state.windowExpired = true
                    defer { state.windowWaiter = nil }
                    return state.windowWaiter
                }?.resume()
            }
            await waitUntilSomeoneWaits()
            group.cancelAll()
        }
    }

    /// Suspends until the window expired, someone waits for a commit, the batch is full or the writer stops.
    private func waitUntilSomeoneWaits() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let ready = state.withLock { state in
                let someoneWaits = !state.waiters.isEmpty || state.awaitedBudgetWrites > 0
                if someoneWaits || state.windowExpired || state.stopRequested
                    || state.buffer.count >= configuration.maxBatchSize
                {
                    return true
                }
                state.windowWaiter = continuation
                return false
            }
            if ready { continuation.resume() }
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
    func write(_ events: [LedgerWrite], lastSequence: UInt64) async -> Bool {
        var sequence = lastSequence - UInt64(events.count)
        var start = events.startIndex
        while start < events.endIndex {
            let end = min(start + configuration.maxBatchSize, events.endIndex)
            guard await write(chunk: Array(events[start..<end]), after: sequence) else {
                answerAbandoned(events[start...])
                return false
            }
            sequence += UInt64(end - start)
            start = end
        }
        return true
    }

    /// Commits one chunk whose first write has sequence number `sequence + 1`, retrying database faults until they
    /// pass (budget writes that fail fast are answered at the first fault and leave the chunk); if the database
    /// rejects the chunk, commits it write by write and drops the rejected events.
    private func write(chunk: [LedgerWrite], after sequence: UInt64) async -> Bool {
        var chunk = chunk
        while true {
            switch await commit(chunk) {
            case .success(let answers):
                recovered()
                deliver(answers)
                resolveWaiters(processedThrough: sequence + UInt64(chunk.count))
                return true
            case .failure(let error) where committer.isRetryable(error):
                answerFailFastWrites(in: &chunk, after: error)
                guard await backOff(after: error) else { return false }
            case .failure(let error):
                logger.warning(
                    "ledger batch rejected; writing it event by event to find the events at fault",
                    metadata: ["events": "\(chunk.count)", "error": "\(error)"])
                return await writeEventByEvent(chunk, after: sequence)
            }
        }
    }

    private func writeEventByEvent(_ chunk: [LedgerWrite], after sequence: UInt64) async -> Bool {
        writes: for (offset, write) in chunk.enumerated() {
            let writeSequence = sequence + UInt64(offset) + 1
            var single = [write]
            while true {
                switch await commit(single) {
                case .success(let answers):
                    recovered()
                    deliver(answers)
                    resolveWaiters(processedThrough: writeSequence)
                    continue writes
                case .failure(let error) where committer.isRetryable(error):
                    answerFailFastWrites(in: &single, after: error)
                    guard await backOff(after: error) else { return false }
                case .failure(let error):
                    // Counted as dropped before the writer says it is writable again, so that whoever sees it
                    // writable also sees the drop.
                    dropped(single[0], sequence: writeSequence, error: error)
                    recovered()
                    continue writes
                }
            }
        }
        return true
    }

    /// The answers of a chunk's budget writes, once it is committed.
    typealias Answers = [(BudgetWrite, Result<BudgetWrite.Outcome, any Error>)]

    /// Commits `writes` in one transaction, each budget write in a savepoint of its own, and tells the commit
    /// observer how it went.
    /// - Returns: the answers of its budget writes, or the error that rolled the transaction back.
    private func commit(_ writes: [LedgerWrite]) async -> Result<Answers, any Error> {
        let start = elapsed()
        let result: Result<Answers, any Error>
        do {
            let results = try await committer.commit(writes)
            result = .success(zip(writes.compactMap(\.budgetWrite), results).map { ($0, $1) })
        } catch {
            result = .failure(error)
        }
        if let onCommit {
            let outcome: LedgerCommitReport.Outcome =
                switch result {
                case .success: .committed
                case .failure(let error): committer.isRetryable(error) ? .failed : .rejected
                }
            // A fail-fast write answered during a fault keeps its place but writes nothing.
            let count = writes.count(where: { $0.writesSomething })
            onCommit(LedgerCommitReport(writes: count, duration: elapsed() - start, outcome: outcome))
        }
        return result
    }

    private func deliver(_ answers: Answers) {
        for (write, result) in answers { write.answer(result) }
    }

    /// Answers the budget writes that fail fast with `ledger_unavailable`; they keep their place as `.answered`.
    private func answerFailFastWrites(in chunk: inout [LedgerWrite], after error: any Error) {
        for index in chunk.indices {
            guard let write = chunk[index].budgetWrite, write.faults == .failFast else { continue }
            chunk[index] = .answered
            write.answer(
                .failure(
                    LedgerError(
                        .unavailable,
                        "the ledger at '\(committer.location)' cannot be written now (\(error)); nothing was reserved. "
                            + "Try again later: the ledger recovers by itself when the cause (a lock, a full disk) "
                            + "goes away.")))
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
            .unavailable, "the ledger at '\(committer.location)' cannot be written: \(error). Retrying with backoff.")
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

    private func dropped(_ write: LedgerWrite, sequence: UInt64, error: any Error) {
        let now = Date()
        let requestID: String
        switch write {
        case .event(let event): requestID = event.requestID ?? "-"
        case .budget(let budgetWrite):
            requestID = "-"
            budgetWrite.answer(.failure(error))
        case .answered: requestID = "-"
        }
        let failure = LedgerError(
            .writeFailed,
            "a ledger write of request '\(requestID)' was rejected by the ledger at '\(committer.location)' and dropped: "
                + "\(error)")
        state.withLock { state in
            state.droppedEvents += 1
            state.lastError = failure
            state.lastErrorAt = now
        }
        logger.error("ledger event rejected and dropped", metadata: ["request_id": "\(requestID)", "error": "\(error)"])
        resolveWaiters(processedThrough: sequence, lost: (sequence, failure))
    }

    /// Gives up on every event not yet committed: stopping, and the database still failing past the shutdown
    /// time-out.
    func abandonQueuedEvents() {
        let (first, count, unanswered) = state.withLock { state -> (UInt64, Int, [BudgetWrite]) in
            let unanswered = state.buffer.compactMap(\.budgetWrite)
            state.buffer = []
            state.awaitedBudgetWrites = 0
            state.taken = state.emitted
            return (state.processed + 1, state.pending, unanswered)
        }
        let failure = lostAtShutdown("\(count) router event(s)")
        logger.error("ledger events lost at shutdown", metadata: ["events": "\(count)"])
        for write in unanswered { write.answer(.failure(failure)) }
        resolveWaiters(processedThrough: first + UInt64(count) - 1, lost: (first, failure))
    }

    /// Answers the budget writes among `writes` that have no answer yet: the writer gave up on them at shutdown.
    private func answerAbandoned(_ writes: ArraySlice<LedgerWrite>) {
        let failure = lostAtShutdown("budget writes")
        for write in writes { write.budgetWrite?.answer(.failure(failure)) }
    }

    private func lostAtShutdown(_ what: String) -> LedgerError {
        LedgerError(
            .writeFailed,
            "\(what) were not written: the ledger at '\(committer.location)' could not be written for "
                + "\(configuration.shutdownTimeout) after shutdown began")
    }
}
