import Foundation
import GRDB
import SwitchyardCore
import SwitchyardTesting
import Testing

@testable import SwitchyardStore

/// Budgets whose reservations and settlements commit in the ledger writer's group commits (the server's setup).
@Suite(.timeLimit(.minutes(1))) struct SQLiteBudgetStoreWriterTests {
    private static let backoff = LedgerBackoff(initial: .milliseconds(1), maximum: .milliseconds(5))

    /// A ledger with a short busy time-out, its running writer, and budgets that write through it.
    private func withWriterBudgets(
        limit: MicroDollars = 1_000_000,
        _ body: (String, LedgerDatabase, LedgerEventSink, SQLiteBudgetStore) async throws -> Void
    ) async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.appending(path: "ledger.sqlite").path
            let database = try LedgerDatabase(path: path, configuration: .init(busyTimeout: .milliseconds(20)))
            let sink = LedgerEventSink(
                database: database, configuration: .init(window: .milliseconds(1), backoff: Self.backoff))
            let budgets = SQLiteBudgetStore(database: database, writer: sink, defaultLimit: limit)
            try await withRunningSink(sink) { sink in try await body(path, database, sink, budgets) }
        }
    }

    @Test func concurrentReservationsNeverPassTheLimit() async throws {
        try await withWriterBudgets { _, database, sink, budgets in
            let granted = try await withThrowingTaskGroup(of: Bool.self) { group in
                for index in 0..<300 {
                    group.addTask {
                        do {
                            _ = try await budgets.reserve(userID: "alice", requestID: "r\(index)", amount: 10_000)
                            return true
                        } catch is BudgetExceededError {
                            return false
                        }
                    }
                }
                return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(granted == 100)
            #expect(try await budgets.status(userID: "alice").reserved == 1_000_000)
            #expect(try await database.integer("SELECT sum(amount_usd_micros) FROM ledger WHERE kind = 'reserve'") == 1_000_000)
            // Many reservations shared each commit.
            #expect(database.commitCount < 100)
            #expect(try await budgets.verify().isEmpty)
        }
    }

    @Test func aReservationCommitsWithTheEventsQueuedBeforeIt() async throws {
        try await withWriterBudgets { _, database, sink, budgets in
            let before = database.commitCount
            sink.emit(Events.received("r1"))
            let reservation = try await budgets.reserve(userID: "alice", requestID: "r1", amount: 5_000)
            // The request's row was committed with its reservation, in one transaction.
            #expect(database.commitCount == before + 1)
            #expect(try await database.count("requests") == 1)

            try await budgets.settle(reservation, actualCost: 1_200)
            sink.emit(Events.requestFinished("r1", cost: 1_200))
            try await sink.flush()
            #expect(database.commitCount == before + 2)
            #expect(
                try await budgets.status(userID: "alice")
                    == .init(userID: "alice", limit: 1_000_000, spent: 1_200, reserved: 0))
            #expect(try await budgets.verify().isEmpty)
        }
    }

    @Test func aRefusedReservationUndoesOnlyItsOwnRows() async throws {
        try await withWriterBudgets(limit: 10_000) { _, database, sink, budgets in
            _ = try await budgets.reserve(userID: "alice", requestID: "r1", amount: 8_000)
            sink.emit(Events.received("r2"))
            await #expect(throws: BudgetExceededError.self) {
                try await budgets.reserve(userID: "alice", requestID: "r2", amount: 5_000)
            }
            await #expect { try await budgets.reserve(userID: "alice", requestID: "r1", amount: 1) } throws: {
                ($0 as? LedgerError)?.code == .duplicateReservation
            }
            try await sink.flush()
            #expect(try await database.count("requests") == 1)
            #expect(try await database.count("ledger") == 1)
            #expect(try await budgets.status(userID: "alice").reserved == 8_000)
        }
    }

    @Test func duringAFaultReservationsFailAtOnceAndSettlementsWaitForTheDatabase() async throws {
        try await withWriterBudgets { path, database, sink, budgets in
            let reservation = try await budgets.reserve(userID: "alice", requestID: "r1", amount: 5_000)
            let lock = try WriteLockHolder(path: path)
            // Nothing reserved, and the caller learns it without waiting for the database to recover.
            await #expect { try await budgets.reserve(userID: "alice", requestID: "r2", amount: 100) } throws: {
                ($0 as? LedgerError)?.code == .unavailable
            }
            try await budgets.settle(reservation, actualCost: 2_000)
            sink.emit(Events.requestFinished("r1", cost: 2_000))
            #expect(!sink.isAvailable)
            try lock.release()
            try await sink.flush()
            #expect(
                try await budgets.status(userID: "alice")
                    == .init(userID: "alice", limit: 1_000_000, spent: 2_000, reserved: 0))
            #expect(try await database.integer("SELECT count(*) FROM ledger WHERE request_id = 'r2'") == 0)
            #expect(try await budgets.verify().isEmpty)
        }
    }

    @Test func aSettlementOfAnUnknownReservationFailsAloneAndTheBatchCommits() async throws {
        try await withWriterBudgets { _, database, sink, budgets in
            let unknown = BudgetReservation(userID: "alice", requestID: "nobody", amount: 100)
            sink.emit(Events.received("r1"))
            try await budgets.settle(unknown, actualCost: 50)
            sink.emit(Events.requestFinished("r1"))
            try await sink.flush()
            #expect(try await database.count("requests") == 1)
            #expect(try await database.count("ledger") == 0)
        }
    }

    @Test func aSettlementTheWriterGivesUpOnAtShutdownIsSettledAtItsReservedAmountAtTheNextStart() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.appending(path: "ledger.sqlite").path
            let database = try LedgerDatabase(path: path, configuration: .init(busyTimeout: .milliseconds(20)))
            let sink = LedgerEventSink(
                database: database, configuration: .init(backoff: Self.backoff, shutdownTimeout: .zero))
            let budgets = SQLiteBudgetStore(database: database, writer: sink)
            let lock: WriteLockHolder
            do {
                let running = Task { try await sink.run() }
                let reservation = try await budgets.reserve(userID: "alice", requestID: "r1", amount: 5_000)
                lock = try WriteLockHolder(path: path)
                try await budgets.settle(reservation, actualCost: 1_000)
                sink.finish()  // the database still fails: with no shutdown time-out left, the writer gives up
                try await running.value
            }
            try lock.release()
            #expect(try await budgets.status(userID: "alice").reserved == 5_000)

            // The next start-up settles what stayed open at its reserved amount: never under-counted.
            let recovered = try await SQLiteBudgetStore(database: database).recoverOpenReservations()
            #expect(recovered.map(\.requestID) == ["r1"])
            #expect(
                try await budgets.status(userID: "alice")
                    == .init(userID: "alice", limit: 1_000_000, spent: 5_000, reserved: 0))
            #expect(try await budgets.verify().isEmpty)
        }
    }

    @Test func aWriteQueuedAfterTheWriterStoppedIsRefused() async throws {
        try await withLedger { database in
            let sink = LedgerEventSink(database: database)
            let budgets = SQLiteBudgetStore(database: database, writer: sink)
            try await withRunningSink(sink) { _ in }
            await #expect { try await budgets.reserve(userID: "alice", requestID: "r1", amount: 100) } throws: {
                ($0 as? LedgerError)?.code == .writerStopped
            }
            #expect(try await database.count("ledger") == 0)
        }
    }
}
