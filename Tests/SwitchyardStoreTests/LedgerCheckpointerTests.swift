import Foundation
import GRDB
import SwitchyardCore
import SwitchyardTesting
import Testing

@testable import SwitchyardStore

@Suite(.timeLimit(.minutes(1))) struct LedgerCheckpointerTests {
    /// Commits `count` requests through the writer, one transaction each, a few pages of rows and index entries
    /// apiece (their user ids are long).
    private func commitRequests(_ count: Int, _ database: LedgerDatabase) async throws {
        let sink = LedgerEventSink(database: database, configuration: .init(window: .zero))
        try await withRunningSink(sink) { sink in
            for request in 1...count {
                sink.emit(Events.received("req-\(request)", user: String(repeating: "u", count: 1_500)))
                try await sink.flush()
            }
        }
    }

    /// Frames in the `-wal` file, from its size (a 32-byte header, then 24 bytes and a page per frame).
    private func walFrames(_ path: String) throws -> Int {
        let size = try FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int ?? 0
        return max(0, size - 32) / (24 + 4_096)
    }

    private func fileSize(_ path: String) throws -> Int {
        try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int ?? 0
    }

    @Test func commitsLeaveTheCopyToTheCheckpointerBelowTheBackStop() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.appending(path: "ledger.sqlite").path
            // SQLite's own default (1,000 pages) would have a commit copy the WAL; the back-stop is
            // far above what this test writes.
            let database = try LedgerDatabase(path: path, configuration: .init(walAutocheckpointPages: 100_000))
            let checkpointer = try LedgerCheckpointer(database: database)
            try #require(try checkpointer.checkpoint().walFrames == checkpointer.checkpoint().checkpointedFrames)
            let migrated = try fileSize(path)

            try await commitRequests(400, database)
            try #require(try walFrames(path) >= 1_000)
            // No commit copied anything into the database file: the writer never waited for a checkpoint.
            #expect(try fileSize(path) == migrated)

            let outcome = try #require(try checkpointer.checkpointIfCommitted())
            #expect(outcome.walFrames >= 1_000)
            #expect(outcome.checkpointedFrames == outcome.walFrames)
            #expect(try fileSize(path) > migrated)
            #expect(try await database.count("requests") == 400)
            // Nothing committed since: nothing to do.
            #expect(try checkpointer.checkpointIfCommitted() == nil)
        }
    }

    @Test func theWriterStillCheckpointsAtTheBackStopWhenNoCheckpointerRuns() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.appending(path: "ledger.sqlite").path
            let database = try LedgerDatabase(path: path, configuration: .init(walAutocheckpointPages: 50))
            let migrated = try fileSize(path)
            try await commitRequests(100, database)
            #expect(try fileSize(path) > migrated)
            #expect(try walFrames(path) < 100)
        }
    }

    @Test func runCheckpointsOnItsIntervalUntilCancelled() async throws {
        try await withLedger { database in
            let clock = ManualClock()
            let checkpointer = try LedgerCheckpointer(
                database: database, configuration: .init(interval: .milliseconds(250)), clock: clock)
            let sink = LedgerEventSink(database: database, configuration: .init(window: .zero))
            try await withRunningSink(sink) { sink in
                sink.emit(Events.received("req-1"))
                try await sink.flush()
            }
            let running = Task { await checkpointer.run() }
            await clock.waitForSleepers(1)
            clock.advance(by: .milliseconds(250))
            await clock.waitForSleepers(1)
            // The tick checkpointed the commit above, so there is nothing left to do.
            #expect(try checkpointer.checkpointIfCommitted() == nil)
            running.cancel()
            await running.value
        }
    }
}
