import Foundation
import GRDB
import SwitchyardCore
import Testing

@testable import SwitchyardStore

/// The whole ledger (events and money) while another connection holds the write lock past the busy time-out, as
/// an operator's `sqlite3` session with `BEGIN IMMEDIATE` or a backup would, and after it lets go.
@Suite(.timeLimit(.minutes(1))) struct LedgerFaultTests {
    @Test func aWriteLockHeldPastTheBusyTimeoutIsRiddenOutWithNothingLost() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.appending(path: "ledger.sqlite").path
            let database = try LedgerDatabase(
                path: path, configuration: LedgerConfiguration(busyTimeout: .milliseconds(50)))
            let backoff = LedgerBackoff(initial: .milliseconds(5), maximum: .milliseconds(20))
            let sink = LedgerEventSink(
                database: database, configuration: .init(flushTimeout: .milliseconds(300), backoff: backoff))
            let budgets = SQLiteBudgetStore(database: database, configuration: .init(backoff: backoff))

            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await sink.run() }
                group.addTask { await budgets.run() }
                let reservation = try await budgets.reserve(userID: "alice", requestID: "r1", amount: 5_000)
                sink.emit(Events.received("r1"))
                // Not flush(): its short deadline is for the locked phase, not for a machine busy with other tests.
                try await waitUntil("the first event is committed") { sink.pendingEventCount == 0 }

                let lock = try WriteLockHolder(path: path)
                for length in 1...20 { sink.emit(.queued(Queued(requestID: "r1", queueLength: length, at: testDate()))) }
                let start = ContinuousClock.now
                await #expect { try await sink.flush() } throws: { ($0 as? LedgerError)?.code == .unavailable }
                let waited = ContinuousClock.now - start
                #expect(waited >= .milliseconds(300) && waited < .seconds(5), "flush waited \(waited)")
                // The writer's commit fails after the busy time-out, on its own schedule on a busy machine.
                try await waitUntil("the writer reports the lock") { !sink.isAvailable }
                let health = sink.health
                #expect(!health.isWritable)
                #expect(health.unwritableSince != nil)
                #expect(health.pendingEvents == 20)
                #expect(health.lastError?.code == .unavailable)

                await #expect { try await budgets.reserve(userID: "bob", requestID: "r2", amount: 10) } throws: {
                    ($0 as? LedgerError)?.code == .unavailable
                }
                await #expect { try await budgets.extend(reservation, by: 10) } throws: {
                    ($0 as? LedgerError)?.code == .unavailable
                }
                await #expect { try await budgets.settle(reservation, actualCost: 1_200) } throws: {
                    ($0 as? LedgerError)?.code == .unavailable
                }
                #expect(budgets.parkedSettlementCount == 1)

                try lock.release()
                try await waitUntil("the writer recovers") { sink.isAvailable && sink.pendingEventCount == 0 }
                try await sink.flush()
                try await waitUntil("the parked settlement is written") { budgets.parkedSettlementCount == 0 }
                #expect(sink.health.isWritable && sink.health.unwritableSince == nil)
                sink.finish()
                budgets.finish()
                try await group.waitForAll()
            }

            // Every event, in order; the money as if nothing had happened; budgets equal the ledger.
            let lengths = try await database.query("SELECT queue_length FROM request_events ORDER BY id").rows
            #expect(lengths == (1...20).map { [.integer(Int64($0))] })
            #expect(try await database.count("requests") == 1)
            #expect(
                try await database.query("SELECT kind, amount_usd_micros FROM ledger ORDER BY id").rows == [
                    [.text("reserve"), .integer(5_000)], [.text("settle"), .integer(1_200)],
                    [.text("release"), .integer(3_800)],
                ])
            #expect(
                try await budgets.status(userID: "alice")
                    == .init(userID: "alice", limit: 1_000_000, spent: 1_200, reserved: 0))
            #expect(try await budgets.verify().isEmpty)
        }
    }
}
