import Foundation
import GRDB
import SwitchyardCore
import SwitchyardTesting
import Testing

@testable import SwitchyardStore

/// Money under database faults: a settlement is never lost to a passing fault, and what stays unsettled when the
/// process stops is resolved by the crash rule.
@Suite(.timeLimit(.minutes(1))) struct SQLiteBudgetStoreFaultTests {
    private static let backoff = LedgerBackoff(initial: .milliseconds(1), maximum: .milliseconds(5))

    /// A ledger whose busy time-out is short, so a held lock fails writes quickly.
    private func withLockableLedger(_ body: (String, LedgerDatabase) async throws -> Void) async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.appending(path: "ledger.sqlite").path
            let database = try LedgerDatabase(
                path: path, configuration: LedgerConfiguration(busyTimeout: .milliseconds(20)))
            try await body(path, database)
        }
    }

    @Test func aParkedSettlementIsWrittenByTheNextSuccessfulWrite() async throws {
        try await withLockableLedger { path, database in
            let budgets = SQLiteBudgetStore(database: database, configuration: .init(backoff: Self.backoff))
            let reservation = try await budgets.reserve(userID: "alice", requestID: "r1", amount: 5_000)
            let lock = try WriteLockHolder(path: path)
            await #expect { try await budgets.settle(reservation, actualCost: 1_000) } throws: {
                ($0 as? LedgerError)?.code == .unavailable
            }
            #expect(budgets.parkedSettlementCount == 1)
            // Settled already, only not written: a second settle or an extension is refused.
            await #expect { try await budgets.settle(reservation, actualCost: 1_000) } throws: {
                ($0 as? LedgerError)?.code == .reservationAlreadySettled
            }
            await #expect { try await budgets.extend(reservation, by: 1) } throws: {
                ($0 as? LedgerError)?.code == .reservationAlreadySettled
            }
            try lock.release()

            _ = try await budgets.reserve(userID: "alice", requestID: "r2", amount: 100)
            #expect(budgets.parkedSettlementCount == 0)
            #expect(
                try await budgets.status(userID: "alice")
                    == .init(userID: "alice", limit: 1_000_000, spent: 1_000, reserved: 100))
            #expect(try await budgets.verify().isEmpty)
        }
    }

    @Test func stoppingWritesParkedSettlementsOnceTheDatabaseRecovers() async throws {
        try await withLockableLedger { path, database in
            let budgets = SQLiteBudgetStore(database: database, configuration: .init(backoff: Self.backoff))
            let reservations = try await (1...3).asyncMap { index in
                try await budgets.reserve(userID: "bob", requestID: "r\(index)", amount: 1_000)
            }
            let lock = try WriteLockHolder(path: path)
            for reservation in reservations {
                await #expect(throws: LedgerError.self) { try await budgets.settle(reservation, actualCost: 400) }
            }
            #expect(budgets.parkedSettlementCount == 3)

            let runner = Task { await budgets.run() }
            budgets.finish()  // graceful shutdown while the lock is still held: run() keeps trying
            try lock.release()
            await runner.value
            #expect(budgets.parkedSettlementCount == 0)
            #expect(
                try await budgets.status(userID: "bob")
                    == .init(userID: "bob", limit: 1_000_000, spent: 1_200, reserved: 0))
            #expect(try await budgets.verify().isEmpty)
        }
    }

    @Test func aSettlementStillParkedAtExitIsSettledAtItsReservedAmountAtStartUp() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.appending(path: "ledger.sqlite").path
            do {
                let database = try LedgerDatabase(
                    path: path, configuration: LedgerConfiguration(busyTimeout: .milliseconds(20)))
                let budgets = SQLiteBudgetStore(
                    database: database, configuration: .init(backoff: Self.backoff, shutdownTimeout: .zero))
                let reservation = try await budgets.reserve(userID: "carol", requestID: "r1", amount: 5_000)
                let lock = try WriteLockHolder(path: path)
                await #expect(throws: LedgerError.self) { try await budgets.settle(reservation, actualCost: 1_000) }
                budgets.finish()
                await budgets.run()  // gives up at once: shutdown time-out zero
                #expect(budgets.parkedSettlementCount == 1)
                try lock.release()
                // The process exits here with the settlement unwritten.
            }
            let database = try LedgerDatabase(path: path)
            let budgets = SQLiteBudgetStore(database: database)
            #expect(
                try await budgets.recoverOpenReservations() == [
                    BudgetReservation(userID: "carol", requestID: "r1", amount: 5_000)
                ])
            #expect(
                try await budgets.status(userID: "carol")
                    == .init(userID: "carol", limit: 1_000_000, spent: 5_000, reserved: 0))
            #expect(try await budgets.verify().isEmpty)
        }
    }

    @Test func settleRetriesAPassingFaultBeforeParking() async throws {
        try await withLockableLedger { path, database in
            let clock = ManualClock()
            let budgets = SQLiteBudgetStore(
                database: database, configuration: .init(settleAttempts: 3), clock: clock)
            let reservation = try await budgets.reserve(userID: "dave", requestID: "r1", amount: 5_000)
            let lock = try WriteLockHolder(path: path)
            let settle = Task { try await budgets.settle(reservation, actualCost: 2_000) }
            await clock.waitForSleepers(1)  // the first try failed on the lock; settle waits before the second
            #expect(clock.sleeps == [.milliseconds(50)])
            try lock.release()
            clock.advance(by: .milliseconds(50))
            try await settle.value
            #expect(budgets.parkedSettlementCount == 0)
            #expect(try await budgets.status(userID: "dave").spent == 2_000)
        }
    }
}

extension Sequence {
    fileprivate func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var results: [T] = []
        for element in self { results.append(try await transform(element)) }
        return results
    }
}
