import Foundation
import GRDB
import SwitchyardCore
import Testing

@testable import SwitchyardStore

@Suite(.timeLimit(.minutes(1))) struct LedgerDatabaseTests {
    @Test(arguments: [
        (LedgerConfiguration.Durability.processCrash, 1), (.powerLoss, 2),
    ])
    func appliesTheConfigurationToTheWriter(durability: LedgerConfiguration.Durability, synchronous: Int) async throws {
        try await withTemporaryDirectory { directory in
            let configuration = LedgerConfiguration(durability: durability, walAutocheckpointPages: 1234)
            let database = try LedgerDatabase(
                path: directory.appending(path: "ledger.sqlite").path, configuration: configuration)
            let pragmas = try await database.pool.write { db in
                (
                    try Int.fetchOne(db, sql: "PRAGMA synchronous"),
                    try Int.fetchOne(db, sql: "PRAGMA wal_autocheckpoint"),
                    try String.fetchOne(db, sql: "PRAGMA journal_mode")
                )
            }
            #expect(pragmas.0 == synchronous)
            #expect(pragmas.1 == 1234)
            #expect(pragmas.2 == "wal")
        }
    }

    @Test func aLockHeldByAnotherConnectionTimesOutWithAClearError() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.appending(path: "ledger.sqlite").path
            let database = try LedgerDatabase(path: path, configuration: .init(busyTimeout: .milliseconds(20)))
            let budgets = SQLiteBudgetStore(database: database)
            // Another process (here: another connection) holds the write lock.
            var lockHolder = Configuration()
            lockHolder.allowsUnsafeTransactions = true
            let other = try DatabaseQueue(path: path, configuration: lockHolder)
            try await other.writeWithoutTransaction { db in try db.execute(sql: "BEGIN IMMEDIATE") }
            await #expect {
                try await budgets.reserve(userID: "u", requestID: "r1", amount: 1)
            } throws: { error in
                // A passing fault: 503 ledger_unavailable for the client, not a 500.
                (error as? LedgerError)?.code == .unavailable
            }
            try await other.writeWithoutTransaction { db in try db.execute(sql: "COMMIT") }
            _ = try await budgets.reserve(userID: "u", requestID: "r1", amount: 1)
            #expect(try await budgets.verify().isEmpty)
        }
    }
}
