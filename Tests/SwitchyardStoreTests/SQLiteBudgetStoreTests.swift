import Foundation
import GRDB
import SwitchyardCore
import Testing

@testable import SwitchyardStore

@Suite(.timeLimit(.minutes(1))) struct SQLiteBudgetStoreTests {
    private func ledgerRows(_ database: LedgerDatabase, request: String) async throws -> [[SQLValue]] {
        try await database.query(
            "SELECT kind, amount_usd_micros, note FROM ledger WHERE request_id = '\(request)' ORDER BY id"
        ).rows
    }

    @Test func reserveSettleAndReleaseArithmetic() async throws {
        try await withLedger { database in
            let budgets = SQLiteBudgetStore(database: database, now: { testDate() })
            let first = try await budgets.reserve(userID: "alice", requestID: "r1", amount: 2_500)
            #expect(first == BudgetReservation(userID: "alice", requestID: "r1", amount: 2_500))
            #expect(
                try await budgets.status(userID: "alice")
                    == .init(userID: "alice", limit: 1_000_000, spent: 0, reserved: 2_500))

            try await budgets.settle(first, actualCost: 1_200)
            #expect(
                try await budgets.status(userID: "alice")
                    == .init(userID: "alice", limit: 1_000_000, spent: 1_200, reserved: 0))
            #expect(
                try await ledgerRows(database, request: "r1") == [
                    [.text("reserve"), .integer(2_500), .null],
                    [.text("settle"), .integer(1_200), .null],
                    [.text("release"), .integer(1_300), .null],
                ])

            // Nothing spent: the whole reservation is released.
            let second = try await budgets.reserve(userID: "alice", requestID: "r2", amount: 800)
            try await budgets.settle(second, actualCost: .zero)
            #expect(
                try await ledgerRows(database, request: "r2") == [
                    [.text("reserve"), .integer(800), .null], [.text("settle"), .integer(0), .null],
                    [.text("release"), .integer(800), .null],
                ])

            // Exactly the reservation: no release row.
            let third = try await budgets.reserve(userID: "alice", requestID: "r3", amount: 300)
            try await budgets.settle(third, actualCost: 300)
            #expect(try await ledgerRows(database, request: "r3").count == 2)

            // An overrun is recorded in full, with a negative release.
            let fourth = try await budgets.reserve(userID: "alice", requestID: "r4", amount: 1_000)
            try await budgets.settle(fourth, actualCost: 1_500)
            #expect(try await ledgerRows(database, request: "r4").last == [.text("release"), .integer(-500), .null])

            #expect(
                try await budgets.status(userID: "alice")
                    == .init(userID: "alice", limit: 1_000_000, spent: 3_000, reserved: 0))
            #expect(try await budgets.verify().isEmpty)
            #expect(
                try await budgets.status(userID: "nobody")
                    == .init(userID: "nobody", limit: 1_000_000, spent: 0, reserved: 0))
        }
    }

    @Test func refusesWhatWouldPassTheLimit() async throws {
        try await withLedger { database in
            let budgets = SQLiteBudgetStore(database: database, defaultLimit: 10_000)
            _ = try await budgets.reserve(userID: "bob", requestID: "r1", amount: 6_000)
            let refusal = await #expect(throws: BudgetExceededError.self) {
                try await budgets.reserve(userID: "bob", requestID: "r2", amount: 4_001)
            }
            #expect(refusal?.status == .init(userID: "bob", limit: 10_000, spent: 0, reserved: 6_000))
            #expect(refusal?.requested == 4_001)
            // Exactly up to the limit is fine; a refused reservation left no trace.
            _ = try await budgets.reserve(userID: "bob", requestID: "r2", amount: 4_000)
            #expect(try await database.count("ledger") == 2)
            #expect(try await budgets.verify().isEmpty)
        }
    }

    @Test func limitsCanBeOverriddenAndReset() async throws {
        try await withLedger { database in
            let budgets = SQLiteBudgetStore(database: database, defaultLimit: 1_000)
            try await budgets.setLimit(5_000, for: "carol")
            _ = try await budgets.reserve(userID: "carol", requestID: "r1", amount: 4_000)
            try await budgets.setLimit(nil, for: "carol")
            #expect(try await budgets.status(userID: "carol").limit == 1_000)
            await #expect(throws: BudgetExceededError.self) {
                try await budgets.reserve(userID: "carol", requestID: "r2", amount: 1)
            }
            await #expect { try await budgets.setLimit(-1, for: "carol") } throws: {
                ($0 as? LedgerError)?.code == .invalidAmount
            }
            #expect(try await budgets.allStatuses().map(\.scopeID) == ["carol"])
        }
    }

    @Test func adjustmentsMoveSpendAndKeepTheInvariant() async throws {
        try await withLedger { database in
            let budgets = SQLiteBudgetStore(database: database)
            try await budgets.adjust(userID: "dave", amount: 5_000, note: "manual charge")
            try await budgets.adjust(userID: "dave", amount: -2_000, note: "refund")
            #expect(try await budgets.status(userID: "dave").spent == 3_000)
            #expect(try await budgets.verify().isEmpty)
        }
    }

    @Test func settlingTwiceOrUnknownReservationsIsRefused() async throws {
        try await withLedger { database in
            let budgets = SQLiteBudgetStore(database: database)
            let reservation = try await budgets.reserve(userID: "erin", requestID: "r1", amount: 100)
            try await budgets.settle(reservation, actualCost: 50)
            await #expect { try await budgets.settle(reservation, actualCost: 50) } throws: {
                ($0 as? LedgerError)?.code == .reservationAlreadySettled
            }
            let unknown = BudgetReservation(userID: "erin", requestID: "nope", amount: 100)
            await #expect { try await budgets.settle(unknown, actualCost: 0) } throws: {
                ($0 as? LedgerError)?.code == .unknownReservation
            }
            await #expect { try await budgets.reserve(userID: "erin", requestID: "r1", amount: 1) } throws: {
                ($0 as? LedgerError)?.code == .duplicateReservation
            }
            await #expect { try await budgets.reserve(userID: "erin", requestID: "r9", amount: -1) } throws: {
                ($0 as? LedgerError)?.code == .invalidAmount
            }
            #expect(
                try await budgets.status(userID: "erin")
                    == .init(userID: "erin", limit: 1_000_000, spent: 50, reserved: 0))
            #expect(try await budgets.verify().isEmpty)
        }
    }

    @Test func verifyCatchesABudgetRowThatDisagreesWithTheLedger() async throws {
        try await withLedger { database in
            let budgets = SQLiteBudgetStore(database: database)
            let reservation = try await budgets.reserve(userID: "frank", requestID: "r1", amount: 1_000)
            try await budgets.settle(reservation, actualCost: 700)
            _ = try await budgets.reserve(userID: "grace", requestID: "r2", amount: 10)
            #expect(try await budgets.verify().isEmpty)

            try await database.pool.write { db in
                try db.execute(
                    sql: "UPDATE budgets SET spent_usd_micros = spent_usd_micros - 1 WHERE user_id = 'frank'")
                // Ledger rows with no budgets row at all are caught too.
                try db.execute(
                    sql: """
                        INSERT INTO ledger (user_id, request_id, kind, amount_usd_micros, at)
                        VALUES ('ghost', NULL, 'adjust', 99, '2025-01-01 00:00:00.000')
                        """)
            }
            #expect(
                try await budgets.verify() == [
                    BudgetDiscrepancy(
                        scopeID: "frank", storedSpent: 699, storedReserved: 0, ledgerSpent: 700, ledgerReserved: 0),
                    BudgetDiscrepancy(
                        scopeID: "ghost", storedSpent: 0, storedReserved: 0, ledgerSpent: 99, ledgerReserved: 0),
                ])
        }
    }

    @Test func concurrentReservationsNeverPassTheLimit() async throws {
        try await withLedger { database in
            let budgets = SQLiteBudgetStore(database: database)  // $1.00
            // 200 tasks each reserving one cent: exactly 100 fit.
            let granted = try await withThrowingTaskGroup(of: BudgetReservation?.self) { group in
                for index in 0..<200 {
                    group.addTask {
                        do {
                            return try await budgets.reserve(userID: "heidi", requestID: "r\(index)", amount: 10_000)
                        } catch is BudgetExceededError {
                            return nil
                        }
                    }
                }
                return try await group.reduce(into: [BudgetReservation]()) {
                    if let reservation = $1 { $0.append(reservation) }
                }
            }
            #expect(granted.count == 100)
            #expect(try await budgets.status(userID: "heidi").reserved == 1_000_000)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for reservation in granted {
                    group.addTask { try await budgets.settle(reservation, actualCost: reservation.amount) }
                }
                try await group.waitForAll()
            }
            #expect(
                try await budgets.status(userID: "heidi")
                    == .init(userID: "heidi", limit: 1_000_000, spent: 1_000_000, reserved: 0))
            #expect(try await budgets.verify().isEmpty)
        }
    }

    @Test func concurrentRequestsThatSettleNeverSpendPastTheLimit() async throws {
        try await withLedger { database in
            let budgets = SQLiteBudgetStore(database: database)
            // Each request reserves 1.5 cents and spends between 0.5 and 1.5 cents (deterministic per index).
            let served = try await withThrowingTaskGroup(of: Bool.self) { group in
                for index in 0..<200 {
                    group.addTask {
                        let reservation: BudgetReservation
                        do {
                            reservation = try await budgets.reserve(
                                userID: "ivan", requestID: "r\(index)", amount: 15_000)
                        } catch let error as BudgetExceededError {
                            #expect(error.status.spent + error.status.reserved + error.requested > error.status.limit)
                            return false
                        }
                        try await budgets.settle(
                            reservation, actualCost: MicroDollars(5_000 + Int64(index % 11) * 1_000))
                        return true
                    }
                }
                return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            let status = try await budgets.status(userID: "ivan")
            #expect(status.spent <= 1_000_000)
            #expect(status.reserved == 0)
            #expect(served >= 66)  // at least as many as fit at their upper bound
            #expect(
                try await database.integer("SELECT sum(amount_usd_micros) FROM ledger WHERE kind = 'settle'")
                    == status.spent.rawValue)
            #expect(try await budgets.verify().isEmpty)
        }
    }

    @Test func openReservationsAreSettledInFullAfterACrash() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.appending(path: "ledger.sqlite").path
            do {
                let database = try LedgerDatabase(path: path)
                let budgets = SQLiteBudgetStore(database: database)
                let settled = try await budgets.reserve(userID: "judy", requestID: "done", amount: 5_000)
                try await budgets.settle(settled, actualCost: 1_000)
                _ = try await budgets.reserve(userID: "judy", requestID: "open-1", amount: 3_000)
                _ = try await budgets.reserve(userID: "ken", requestID: "open-2", amount: 7_000)
                // The process "crashes" here: no settle, no close.
            }

            let database = try LedgerDatabase(path: path)
            let budgets = SQLiteBudgetStore(database: database)
            #expect(try await budgets.status(userID: "judy").reserved == 3_000)
            let recovered = try await budgets.recoverOpenReservations()
            #expect(
                Set(recovered) == [
                    BudgetReservation(userID: "judy", requestID: "open-1", amount: 3_000),
                    BudgetReservation(userID: "ken", requestID: "open-2", amount: 7_000),
                ])
            #expect(
                try await budgets.status(userID: "judy")
                    == .init(userID: "judy", limit: 1_000_000, spent: 4_000, reserved: 0))
            #expect(
                try await budgets.status(userID: "ken")
                    == .init(userID: "ken", limit: 1_000_000, spent: 7_000, reserved: 0))
            #expect(
                try await ledgerRows(database, request: "open-1") == [
                    [.text("reserve"), .integer(3_000), .null],
                    [.text("settle"), .integer(3_000), .text(SQLiteBudgetStore.recoveredNote)],
                ])
            #expect(try await budgets.verify().isEmpty)
            #expect(try await budgets.recoverOpenReservations().isEmpty)
        }
    }
}
