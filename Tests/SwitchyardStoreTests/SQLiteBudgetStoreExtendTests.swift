import Foundation
import GRDB
import SwitchyardCore
import Testing

@testable import SwitchyardStore

/// Extending a reservation: another `reserve` row of the same request, atomic with the limit check, summed by
/// settle, crash recovery and verify.
@Suite(.timeLimit(.minutes(1))) struct SQLiteBudgetStoreExtendTests {
    private func ledgerRows(_ database: LedgerDatabase, request: String) async throws -> [[SQLValue]] {
        try await database.query(
            "SELECT kind, amount_usd_micros, note FROM ledger WHERE request_id = '\(request)' ORDER BY id"
        ).rows
    }

    @Test func anExtensionIsAnotherReserveRowAndSettleCountsThemAll() async throws {
        try await withLedger { database in
            let budgets = SQLiteBudgetStore(database: database)
            let reservation = try await budgets.reserve(userID: "alice", requestID: "r1", amount: 5_000)
            let extended = try await budgets.extend(reservation, by: 3_000)
            #expect(extended == BudgetReservation(userID: "alice", requestID: "r1", amount: 8_000))
            #expect(try await budgets.status(userID: "alice").reserved == 8_000)
            #expect(try await budgets.extend(extended, by: 0) == extended)

            // The reservation passed to settle may be the original one: the ledger's rows are what counts.
            try await budgets.settle(reservation, actualCost: 6_000)
            #expect(
                try await ledgerRows(database, request: "r1") == [
                    [.text("reserve"), .integer(5_000), .null],
                    [.text("reserve"), .integer(3_000), .text(SQLiteBudgetStore.extensionNote)],
                    [.text("settle"), .integer(6_000), .null],
                    [.text("release"), .integer(2_000), .null],
                ])
            #expect(
                try await budgets.status(userID: "alice")
                    == .init(userID: "alice", limit: 1_000_000, spent: 6_000, reserved: 0))
            #expect(try await budgets.verify().isEmpty)
        }
    }

    @Test func anExtensionPastTheLimitIsRefusedAndWritesNothing() async throws {
        try await withLedger { database in
            let budgets = SQLiteBudgetStore(database: database, defaultLimit: 10_000)
            let reservation = try await budgets.reserve(userID: "bob", requestID: "r1", amount: 6_000)
            let refusal = await #expect(throws: BudgetExceededError.self) {
                try await budgets.extend(reservation, by: 4_001)
            }
            #expect(refusal?.status == .init(userID: "bob", limit: 10_000, spent: 0, reserved: 6_000))
            #expect(refusal?.requested == 4_001)
            #expect(try await database.count("ledger") == 1)
            #expect(try await budgets.extend(reservation, by: 4_000).amount == 10_000)
            #expect(try await budgets.verify().isEmpty)
        }
    }

    @Test func hugeAmountsAreRefusedInsteadOfOverflowing() async throws {
        try await withLedger { database in
            let budgets = SQLiteBudgetStore(database: database, defaultLimit: MicroDollars(.max))
            let reservation = try await budgets.reserve(userID: "carol", requestID: "r1", amount: MicroDollars(.max - 5))
            await #expect(throws: BudgetExceededError.self) { try await budgets.extend(reservation, by: 10) }
            await #expect(throws: BudgetExceededError.self) {
                try await budgets.reserve(userID: "carol", requestID: "r2", amount: MicroDollars(.max))
            }
            #expect(try await budgets.verify().isEmpty)
        }
    }

    @Test func onlyAnOpenReservationCanBeExtended() async throws {
        try await withLedger { database in
            let budgets = SQLiteBudgetStore(database: database)
            let reservation = try await budgets.reserve(userID: "dave", requestID: "r1", amount: 100)
            await #expect { try await budgets.extend(reservation, by: -1) } throws: {
                ($0 as? LedgerError)?.code == .invalidAmount
            }
            let unknown = BudgetReservation(userID: "dave", requestID: "nope", amount: 100)
            await #expect { try await budgets.extend(unknown, by: 1) } throws: {
                ($0 as? LedgerError)?.code == .unknownReservation
            }
            let otherUser = BudgetReservation(userID: "erin", requestID: "r1", amount: 100)
            await #expect { try await budgets.extend(otherUser, by: 1) } throws: {
                ($0 as? LedgerError)?.code == .unknownReservation
            }
            try await budgets.settle(reservation, actualCost: 50)
            await #expect { try await budgets.extend(reservation, by: 1) } throws: {
                ($0 as? LedgerError)?.code == .reservationAlreadySettled
            }
            // Reserving an id again is still refused, though a request may now have several reserve rows.
            await #expect { try await budgets.reserve(userID: "dave", requestID: "r1", amount: 1) } throws: {
                ($0 as? LedgerError)?.code == .duplicateReservation
            }
            #expect(try await budgets.verify().isEmpty)
        }
    }

    @Test func concurrentExtensionsNeverPassTheLimit() async throws {
        try await withLedger { database in
            let budgets = SQLiteBudgetStore(database: database)  // $1.00
            var reservations: [BudgetReservation] = []
            for index in 0..<50 {
                reservations.append(try await budgets.reserve(userID: "frank", requestID: "r\(index)", amount: 10_000))
            }
            // 50 cents reserved; 200 extensions of one cent race for the other 50.
            let granted = try await withThrowingTaskGroup(of: BudgetReservation?.self) { group in
                for index in 0..<200 {
                    let reservation = reservations[index % 50]
                    group.addTask {
                        do {
                            return try await budgets.extend(reservation, by: 10_000)
                        } catch is BudgetExceededError {
                            return nil
                        }
                    }
                }
                return try await group.reduce(0) { $0 + ($1 == nil ? 0 : 1) }
            }
            #expect(granted == 50)
            #expect(try await budgets.status(userID: "frank").reserved == 1_000_000)
            for reservation in reservations { try await budgets.settle(reservation, actualCost: 15_000) }
            #expect(
                try await budgets.status(userID: "frank")
                    == .init(userID: "frank", limit: 1_000_000, spent: 750_000, reserved: 0))
            #expect(try await budgets.verify().isEmpty)
        }
    }

    @Test func crashRecoverySettlesAnExtendedReservationOnceAtItsWholeAmount() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.appending(path: "ledger.sqlite").path
            do {
                let budgets = SQLiteBudgetStore(database: try LedgerDatabase(path: path))
                let reservation = try await budgets.reserve(userID: "grace", requestID: "r1", amount: 3_000)
                _ = try await budgets.extend(reservation, by: 2_000)
                // The process crashes before settling.
            }
            let database = try LedgerDatabase(path: path)
            let budgets = SQLiteBudgetStore(database: database)
            #expect(
                try await budgets.recoverOpenReservations() == [
                    BudgetReservation(userID: "grace", requestID: "r1", amount: 5_000)
                ])
            #expect(
                try await ledgerRows(database, request: "r1").suffix(1) == [
                    [.text("settle"), .integer(5_000), .text(SQLiteBudgetStore.recoveredNote)]
                ])
            #expect(
                try await budgets.status(userID: "grace")
                    == .init(userID: "grace", limit: 1_000_000, spent: 5_000, reserved: 0))
            #expect(try await budgets.verify().isEmpty)
        }
    }

    @Test func aFileFromBeforeExtensionsIsMigratedAndItsOpenReservationsCanBeExtended() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.appending(path: "ledger.sqlite").path
            let old = try LedgerDatabase(path: path, migrate: false)
            try old.migrate(upTo: "0002_api_keys")
            // An open reservation as version 0002 wrote it.
            try await old.pool.write { db in
                try db.execute(
                    sql: """
                        INSERT INTO ledger (user_id, request_id, kind, amount_usd_micros, at)
                        VALUES ('heidi', 'r1', 'reserve', 1000, '2025-01-01 00:00:00.000');
                        INSERT INTO budgets (user_id, reserved_usd_micros, updated_at)
                        VALUES ('heidi', 1000, '2025-01-01 00:00:00.000');
                        """)
            }
            try old.close()

            let database = try LedgerDatabase(path: path)
            let budgets = SQLiteBudgetStore(database: database)
            let extended = try await budgets.extend(
                BudgetReservation(userID: "heidi", requestID: "r1", amount: 1_000), by: 500)
            #expect(extended.amount == 1_500)
            try await budgets.settle(extended, actualCost: 1_500)
            // At most one settle per request, still enforced by the schema.
            await #expect(throws: DatabaseError.self) {
                try await database.pool.write { db in
                    try db.execute(
                        sql: """
                            INSERT INTO ledger (user_id, request_id, kind, amount_usd_micros, at)
                            VALUES ('heidi', 'r1', 'settle', 1, '2025-01-01 00:00:00.000')
                            """)
                }
            }
            #expect(try await budgets.verify().isEmpty)
        }
    }
}
