import Foundation
import GRDB
import SwitchyardCore
import SwitchyardTesting
import Synchronization
import Testing

@testable import SwitchyardStore

/// The event writer under database faults, on real files: it keeps every event, retries with backoff, recovers by
/// itself, bounds its backlog and its flushes, and drops only what the database rejects.
@Suite(.timeLimit(.minutes(1))) struct LedgerEventSinkFaultTests {
    private static func queued(_ length: Int) -> RouterEvent {
        .queued(Queued(requestID: "r1", queueLength: length, at: testDate()))
    }

    private static func queueLengths(_ database: LedgerDatabase) async throws -> [Int64] {
        try await database.query("SELECT queue_length FROM request_events ORDER BY id").rows.map {
            if case .integer(let value) = $0[0] { return value }
            return -1
        }
    }

    @Test func aFullDiskIsRetriedWithExponentialBackoffUntilItClears() async throws {
        try await withLedger { database in
            let clock = ManualClock()
            let sink = LedgerEventSink(database: database, clock: clock)
            // The writer connection may not grow the file: every insert that needs a page fails with SQLITE_FULL.
            try await database.pool.writeWithoutTransaction { db in
                let pages = try Int.fetchOne(db, sql: "PRAGMA page_count") ?? 0
                try db.execute(sql: "PRAGMA max_page_count = \(pages)")
            }
            try await withRunningSink(sink) { sink in
                for index in 1...300 { sink.emit(Self.queued(index)) }
                var expected: [Duration] = []
                for failures in 1...8 {
                    await clock.waitForSleepers(1)
                    expected.append(LedgerBackoff().delay(afterFailures: failures))
                    #expect(clock.sleeps == expected)
                    #expect(!sink.isAvailable)
                    #expect(sink.pendingEventCount == 300)
                    clock.advance(by: expected[failures - 1])
                }
                #expect(expected.suffix(3) == [.milliseconds(1600), .seconds(2), .seconds(2)])
                #expect(sink.health.lastError?.code == .unavailable)
                #expect(sink.health.lastError?.message.contains("full") == true)

                await clock.waitForSleepers(1)
                try await database.pool.writeWithoutTransaction { db in
                    try db.execute(sql: "PRAGMA max_page_count = 1073741823")
                }
                clock.advance(by: .seconds(2))
                try await waitUntil("the writer commits") { sink.pendingEventCount == 0 }
                #expect(sink.isAvailable)
                #expect(sink.health.isWritable && sink.health.unwritableSince == nil)
                try await sink.flush()
            }
            #expect(try await Self.queueLengths(database) == (1...300).map { Int64($0) })
        }
    }

    @Test func flushThrowsUnavailableAtItsDeadlineAndTheEventsStayQueued() async throws {
        try await withLedger { database in
            let clock = ManualClock()
            let sink = LedgerEventSink(database: database, configuration: .init(flushTimeout: .seconds(10)), clock: clock)
            sink.emit(Events.received("r1"))  // no writer yet: nothing commits
            let flush = Task { try await sink.flush() }
            await clock.waitForSleepers(1)
            clock.advance(by: .milliseconds(9_999))
            #expect(clock.sleeperCount == 1)
            clock.advance(by: .milliseconds(1))
            await #expect { try await flush.value } throws: { ($0 as? LedgerError)?.code == .unavailable }
            #expect(sink.pendingEventCount == 1)

            try await withRunningSink(sink) { sink in try await sink.flush() }
            #expect(try await database.count("requests") == 1)
        }
    }

    @Test func aBacklogOverItsBoundMakesTheSinkUnavailableWithoutDroppingEvents() async throws {
        try await withLedger { database in
            let sink = LedgerEventSink(database: database, configuration: .init(maxPendingEvents: 3))
            for index in 1...3 { sink.emit(Self.queued(index)) }
            #expect(sink.isAvailable)
            sink.emit(Self.queued(4))
            #expect(!sink.isAvailable)
            #expect(sink.health.pendingEvents == 4)
            #expect(sink.health.isWritable)
            sink.emit(Self.queued(5))  // a request already admitted still records its events

            try await withRunningSink(sink) { sink in
                try await sink.flush()
                #expect(sink.isAvailable)
            }
            #expect(try await Self.queueLengths(database) == [1, 2, 3, 4, 5])
        }
    }

    @Test func anEventTheDatabaseRejectsIsDroppedAloneAndTheWriterStaysAvailable() async throws {
        try await withLedger { database in
            try await database.pool.write { db in
                try db.execute(
                    sql: """
                        CREATE TRIGGER poison BEFORE INSERT ON request_events WHEN NEW.queue_length = 13
                        BEGIN SELECT RAISE(ABORT, 'poison event'); END
                        """)
            }
            try await withRunningSink(LedgerEventSink(database: database)) { sink in
                sink.emit(Events.received("r1"))
                for length in 12...14 { sink.emit(Self.queued(length)) }
                await #expect { try await sink.flush() } throws: { ($0 as? LedgerError)?.code == .writeFailed }
                #expect(sink.isAvailable)
                #expect(sink.health.droppedEvents == 1)
                #expect(sink.health.lastError?.message.contains("poison event") == true)

                // No failed state to reset: the next flush succeeds.
                sink.emit(Self.queued(15))
                try await sink.flush()
            }
            #expect(try await database.count("requests") == 1)
            #expect(try await Self.queueLengths(database) == [12, 14, 15])
        }
    }

    @Test func aRejectedEventAfterAFaultStillEndsTheFailingState() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.appending(path: "ledger.sqlite").path
            let database = try LedgerDatabase(
                path: path, configuration: LedgerConfiguration(busyTimeout: .milliseconds(20)))
            try await database.pool.write { db in
                try db.execute(
                    sql: """
                        CREATE TRIGGER poison BEFORE INSERT ON request_events
                        BEGIN SELECT RAISE(ABORT, 'poison event'); END
                        """)
            }
            let sink = LedgerEventSink(
                database: database,
                configuration: .init(backoff: LedgerBackoff(initial: .milliseconds(1), maximum: .milliseconds(5))))
            try await withRunningSink(sink) { sink in
                let lock = try WriteLockHolder(path: path)
                sink.emit(Self.queued(1))  // the only event, and the database will reject it
                try await waitUntil("the writer fails") { !sink.isAvailable }
                try lock.release()
                // Nothing else is emitted (the router admits nobody while unavailable), yet the writer recovers.
                try await waitUntil("the writer recovers") { sink.isAvailable }
                #expect(sink.health.droppedEvents == 1)
            }
        }
    }

    @Test(arguments: [false, true])
    func stoppingWhileTheDatabaseIsLockedGivesUpAfterTheShutdownTimeout(byCancelling: Bool) async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.appending(path: "ledger.sqlite").path
            let database = try LedgerDatabase(
                path: path, configuration: LedgerConfiguration(busyTimeout: .milliseconds(20)))
            let sink = LedgerEventSink(
                database: database,
                configuration: .init(
                    flushTimeout: .seconds(30), backoff: LedgerBackoff(initial: .milliseconds(1), maximum: .milliseconds(5)),
                    shutdownTimeout: .milliseconds(100)))
            let lock = try WriteLockHolder(path: path)
            let writer = Task { try await sink.run() }
            sink.emit(Events.received("r1"))
            let flush = Task { try await sink.flush() }
            try await waitUntil("the flush waits") { sink.state.withLock { $0.waiters.count } == 1 }
            try await waitUntil("the writer fails") { !sink.health.isWritable }
            if byCancelling { writer.cancel() } else { sink.finish() }
            try await writer.value  // returns although nothing could be written
            await #expect { try await flush.value } throws: { ($0 as? LedgerError)?.code == .writeFailed }
            #expect(!sink.isAvailable)
            try lock.release()
            #expect(try await database.count("requests") == 0)
        }
    }
}
