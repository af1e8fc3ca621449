import Foundation
import Logging
import PostgresNIO
import SwitchyardCore
import Testing

@testable import SwitchyardPostgres
@testable import SwitchyardStore

/// The PostgreSQL store's own promises: several instances migrate at once, and the open reservations of an instance
/// whose lease expired (dead, or stopped) are settled once, at their reserved amount, by a survivor. Leases are
/// expired by moving the dead instance's heartbeat back in the database, never by waiting.
@Suite(.timeLimit(.minutes(5)), .enabled(if: LedgerEngine.available.contains(.postgres)))
struct PostgresLeaseTests {
    private static let logger = Logger(label: "switchyard.tests.lease")

    private func lease(_ ledger: PostgresLedger, _ instance: String, defaults: BudgetDefaults = BudgetDefaults())
        -> PostgresInstanceLease
    {
        PostgresInstanceLease(
            budgets: PostgresBudgetStore(ledger: ledger, instanceID: instance, defaults: defaults),
            configuration: .init(heartbeat: .seconds(1), timeout: .seconds(3_600)), logger: Self.logger)
    }

    private func expire(_ instance: String, on ledger: PostgresLedger) async throws {
        _ = try await ledger.rows(
            "UPDATE instances SET heartbeat_at = now() - interval '2 hours' WHERE id = \(instance)")
    }

    @Test func aDeadInstancesOpenReservationsAreSettledAtTheReservedAmountBySurvivorsOnce() async throws {
        try await withTemporaryPostgresDatabase { location in
            try await PostgresLedger.withLedger(location) { ledger in
                let dead = lease(ledger, "dead")
                try await dead.register()
                let budgets = dead.budgets
                let settled = try await budgets.reserve(userID: "alice", requestID: "r1", amount: 3_000)
                try await budgets.settle(settled, actualCost: 1_000)
                let open = try await budgets.reserve(
                    BudgetSubject(userID: "alice", keyID: "7", team: "research"), requestID: "r2", amount: 4_000)
                _ = try await budgets.extend(open, by: 500)

                // Two survivors; the dead instance's lease is still fresh, so nothing is touched yet.
                let survivors = [lease(ledger, "s1"), lease(ledger, "s2")]
                for survivor in survivors { try await survivor.register() }
                #expect(try await survivors[0].resolveExpired().isEmpty)

                try await expire("dead", on: ledger)
                async let first = survivors[0].resolveExpired()
                async let second = survivors[1].resolveExpired()
                let resolved = try await first + second
                #expect(resolved.map(\.requestID) == ["r2"])
                #expect(resolved.first?.amount == 4_500)

                let rows = try await ledger.rows(
                    "SELECT kind, amount_usd_micros, note FROM ledger WHERE request_id = 'r2' ORDER BY id"
                ).map { try $0.decode((String, Int64, String?).self) }
                #expect(rows.map(\.0) == ["reserve", "reserve", "settle"])
                #expect(rows.last?.1 == 4_500)
                #expect(rows.last?.2 == PostgresInstanceLease.recoveredNote(from: "dead"))
                let instance = try await ledger.rows(
                    "SELECT resolved_by, settled_reservations FROM instances WHERE id = 'dead'"
                ).first?.decode((String?, Int).self)
                #expect(instance?.1 == 1)
                #expect(["s1", "s2"].contains(instance?.0 ?? ""))

                // The dead instance's late settlement is refused; spend stays at the reserved amount.
                await #expect {
                    try await budgets.settle(open, actualCost: 100)
                } throws: { ($0 as? LedgerError)?.code == .reservationAlreadySettled }
                #expect(try await budgets.status(userID: "alice").spent == 5_500)
                #expect(try await budgets.status(userID: "alice").reserved == 0)

                // It was only paused: its next heartbeat takes the lease back, so what it reserves from now on is
                // covered by the crash rule again.
                await dead.beat()
                let later = try await budgets.reserve(userID: "alice", requestID: "r3", amount: 200)
                try await expire("dead", on: ledger)
                #expect(try await survivors[0].resolveExpired().map(\.requestID) == [later.requestID])
                #expect(try await budgets.verify().isEmpty)
            }
        }
    }

    @Test func aStoppedInstanceIsResolvedWithoutWaitingForItsLease() async throws {
        try await withTemporaryPostgresDatabase { location in
            try await PostgresLedger.withLedger(location) { ledger in
                let stopping = lease(ledger, "stopping")
                try await stopping.register()
                _ = try await stopping.budgets.reserve(userID: "bob", requestID: "r1", amount: 700)
                await stopping.stop()
                let next = lease(ledger, "next")
                // Registering resolves what is expired, as at start-up.
                let resolved = try await next.register()
                #expect(resolved.map(\.requestID) == ["r1"])
                #expect(try await next.budgets.status(userID: "bob").spent == 700)
                // Its own lease is never resolved by itself, however old.
                try await expire("next", on: ledger)
                #expect(try await next.resolveExpired().isEmpty)
            }
        }
    }

    @Test func instancesStartingAtOnceMigrateOnce() async throws {
        try await withTemporaryPostgresDatabase { location in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<4 {
                    group.addTask { try await PostgresLedger.withLedger(location) { _ in } }
                }
                try await group.waitForAll()
            }
            try await PostgresLedger.withLedger(location, schema: .requireCurrent) { ledger in
                let status = try await PostgresMigrations.status(ledger)
                #expect(status.isUpToDate)
                let count = try await ledger.rows("SELECT count(*) FROM schema_migrations").first?.decode(Int.self)
                #expect(count == PostgresMigrations.identifiers.count)
            }
        }
    }

    @Test func anUnreachableServerIsAClearOpenError() async throws {
        // A port nothing listens on (bound and closed at once).
        let location = try PostgresLocation(url: "postgresql://switchyard@127.0.0.1:1/nothing")
        await #expect {
            try await PostgresLedger.withLedger(location, connectionTimeout: .milliseconds(300)) { _ in }
        } throws: { error in
            guard let error = error as? LedgerError else { return false }
            return error.code == .openFailed && error.message.contains("127.0.0.1:1")
        }
    }

    @Test func urlsAreCheckedAndPasswordsStayOutOfThem() throws {
        let location = try PostgresLocation(
            url: "postgresql://app@db.internal:6432/ledger?sslmode=require", passwordVariable: "PGPASS",
            environment: ["PGPASS": "s3cret"])
        #expect(location.description == "postgresql://app@db.internal:6432/ledger")
        #expect(location.tls == .require && location.password == "s3cret")
        #expect(try PostgresLocation(url: "postgresql://app@localhost/ledger").tls == .disable)
        for bad in [
            "postgresql://app:pw@host/db", "postgresql://host/db", "postgresql://app@host", "mysql://app@host/db",
            "postgresql://app@host/db?sslmode=maybe", "postgresql://app@host/db?timeout=3",
        ] {
            #expect(throws: LedgerError.self, "\(bad)") { try PostgresLocation(url: bad) }
        }
        #expect(PostgresLocation.redacted("postgresql://app:pw@host/db") == "postgresql://app:***@host/db")
        #expect(throws: LedgerError.self) {
            try PostgresLocation(url: "postgresql://app@host/db", passwordVariable: "UNSET", environment: [:])
        }
    }
}
