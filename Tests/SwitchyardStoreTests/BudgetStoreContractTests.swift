import Foundation
import SwitchyardCore
import Synchronization
import Testing

@testable import SwitchyardStore

/// What every budget store must do, run on each engine (``LedgerEngine/available``) from one suite, so that the
/// SQLite and PostgreSQL stores cannot drift apart: the same calls leave the same ledger rows and figures.
@Suite(.timeLimit(.minutes(5))) struct BudgetStoreContractTests {
    private static let research = BudgetSubject(userID: "alice", keyID: "7", team: "research")

    private func ledgerRows(_ harness: EngineHarness, request: String) async throws -> [[SQLValue]] {
        try await harness.rows(
            "SELECT kind, amount_usd_micros, note FROM ledger WHERE request_id = '\(request)' ORDER BY id")
    }

    @Test(arguments: LedgerEngine.available)
    func reserveSettleAndReleaseArithmetic(_ engine: LedgerEngine) async throws {
        try await withEngine(engine) { harness in
            let budgets = harness.store(now: { testDate() })
            let first = try await budgets.reserve(userID: "alice", requestID: "r1", amount: 2_500)
            #expect(try await budgets.status(userID: "alice") == .init(userID: "alice", limit: 1_000_000, spent: 0, reserved: 2_500))
            try await budgets.settle(first, actualCost: 1_200)
            #expect(
                try await ledgerRows(harness, request: "r1") == [
                    [.text("reserve"), .integer(2_500), .null], [.text("settle"), .integer(1_200), .null],
                    [.text("release"), .integer(1_300), .null],
                ])
            // Exactly the reservation: no release row. An overrun: a negative release.
            let second = try await budgets.reserve(userID: "alice", requestID: "r2", amount: 300)
            try await budgets.settle(second, actualCost: 300)
            #expect(try await ledgerRows(harness, request: "r2").count == 2)
            let third = try await budgets.reserve(userID: "alice", requestID: "r3", amount: 1_000)
            try await budgets.settle(third, actualCost: 1_500)
            #expect(try await ledgerRows(harness, request: "r3").last == [.text("release"), .integer(-500), .null])
            #expect(
                try await budgets.status(userID: "alice")
                    == .init(userID: "alice", limit: 1_000_000, spent: 3_000, reserved: 0))
            #expect(try await budgets.verify().isEmpty)
        }
    }

    @Test(arguments: LedgerEngine.available)
    func refusesWhatWouldPassTheLimitAndLeavesNoTrace(_ engine: LedgerEngine) async throws {
        try await withEngine(engine) { harness in
            let budgets = harness.store(BudgetDefaults(userLifetimeLimit: 10_000))
            _ = try await budgets.reserve(userID: "bob", requestID: "r1", amount: 6_000)
            let refusal = await #expect(throws: BudgetExceededError.self) {
                try await budgets.reserve(userID: "bob", requestID: "r2", amount: 4_001)
            }
            #expect(refusal?.status == .init(userID: "bob", limit: 10_000, spent: 0, reserved: 6_000))
            _ = try await budgets.reserve(userID: "bob", requestID: "r2", amount: 4_000)
            #expect(try await harness.integer("SELECT count(*) FROM ledger") == 2)
            #expect(try await budgets.verify().isEmpty)
        }
    }

    @Test(arguments: LedgerEngine.available)
    func misuseIsRefusedWithItsCode(_ engine: LedgerEngine) async throws {
        try await withEngine(engine) { harness in
            let budgets = harness.store()
            let reservation = try await budgets.reserve(userID: "alice", requestID: "r1", amount: 100)
            await #expect {
                try await budgets.reserve(userID: "alice", requestID: "r1", amount: 100)
            } throws: { ($0 as? LedgerError)?.code == .duplicateReservation }
            await #expect {
                try await budgets.reserve(userID: "alice", requestID: "r2", amount: -1)
            } throws: { ($0 as? LedgerError)?.code == .invalidAmount }
            try await budgets.settle(reservation, actualCost: 50)
            await #expect {
                try await budgets.settle(reservation, actualCost: 50)
            } throws: { ($0 as? LedgerError)?.code == .reservationAlreadySettled }
            await #expect {
                try await budgets.settle(BudgetReservation(userID: "alice", requestID: "nope", amount: 1), actualCost: 1)
            } throws: { ($0 as? LedgerError)?.code == .unknownReservation }
            #expect(try await budgets.verify().isEmpty)
        }
    }

    @Test(arguments: LedgerEngine.available)
    func anExtensionIsCheckedAndSettledWithTheReservation(_ engine: LedgerEngine) async throws {
        try await withEngine(engine) { harness in
            let budgets = harness.store(BudgetDefaults(userLifetimeLimit: 10_000))
            let reservation = try await budgets.reserve(userID: "alice", requestID: "r1", amount: 4_000)
            let extended = try await budgets.extend(reservation, by: 5_000)
            #expect(extended.amount == 9_000)
            await #expect(throws: BudgetExceededError.self) { try await budgets.extend(extended, by: 1_001) }
            try await budgets.settle(extended, actualCost: 7_000)
            #expect(
                try await ledgerRows(harness, request: "r1") == [
                    [.text("reserve"), .integer(4_000), .null],
                    [.text("reserve"), .integer(5_000), .text(SQLiteBudgetStore.extensionNote)],
                    [.text("settle"), .integer(7_000), .null], [.text("release"), .integer(2_000), .null],
                ])
            #expect(try await budgets.status(userID: "alice").spent == 7_000)
            #expect(try await budgets.verify().isEmpty)
        }
    }

    @Test(arguments: LedgerEngine.available)
    func everyScopeAndWindowIsCheckedAndTheOneThatRefusesIsNamed(_ engine: LedgerEngine) async throws {
        try await withEngine(engine) { harness in
            let budgets = harness.store(
                BudgetDefaults(limits: [.user: [.lifetime: 1_000_000, .daily: 12_000]]), now: { testDate() })
            try await budgets.setLimit(20_000, scope: .key, id: "7", period: .lifetime)
            try await budgets.setLimit(30_000, scope: .team, id: "research", period: .lifetime)
            let first = try await budgets.reserve(Self.research, requestID: "r1", amount: 10_000)
            #expect(first.tightest?.scope == .user && first.tightest?.period == .daily)
            try await budgets.settle(first, actualCost: 10_000)
            // The user's daily window has 2,000 left; the key 10,000; the team 20,000.
            let refusal = await #expect(throws: BudgetExceededError.self) {
                try await budgets.reserve(Self.research, requestID: "r2", amount: 2_001)
            }
            #expect(refusal?.status.period == .daily && refusal?.status.spent == 10_000)
            let bob = BudgetSubject(userID: "bob", keyID: "7", team: "research")
            let keyRefusal = await #expect(throws: BudgetExceededError.self) {
                try await budgets.reserve(bob, requestID: "r3", amount: 10_001)
            }
            #expect(keyRefusal?.status.scope == .key)
            _ = try await budgets.reserve(bob, requestID: "r3", amount: 10_000)
            let statuses = try await budgets.statuses(of: Self.research)
            #expect(statuses.map(\.scope) == [.user, .user, .key, .team])
            #expect(statuses.first { $0.scope == .team }?.reserved == 10_000)
            try await budgets.adjust(userID: "alice", amount: -4_000, note: "refund")
            #expect(try await budgets.statuses(.user, id: "alice").first { $0.period == .daily }?.spent == 6_000)
            #expect(try await budgets.verify().isEmpty)
            #expect(try await budgets.allStatuses(scope: .team).map(\.scopeID) == ["research"])
        }
    }

    @Test(arguments: LedgerEngine.available)
    func theListIsEachScopesOwnStatusesInOrder(_ engine: LedgerEngine) async throws {
        try await withEngine(engine) { harness in
            let budgets = harness.store(BudgetDefaults(limits: [.user: [.daily: 50_000]]), now: { testDate() })
            try await budgets.setLimit(20_000, scope: .key, id: "7", period: .monthly)
            try await budgets.setLimit(30_000, scope: .team, id: "research", period: .lifetime)
            try await budgets.setLimit(40_000, scope: .user, id: "carol", period: .lifetime)
            try await budgets.setLimit(5_000, scope: .user, id: "dan", period: .weekly)
            let reservation = try await budgets.reserve(Self.research, requestID: "r1", amount: 10_000)
            try await budgets.settle(reservation, actualCost: 4_000)
            _ = try await budgets.reserve(BudgetSubject(userID: "bob"), requestID: "r2", amount: 1_000)
            let listed = try await budgets.allStatuses(scope: nil)
            var each: [BudgetStatus] = []
            for (scope, id) in [
                (BudgetScope.key, "7"), (.team, "research"), (.user, "alice"), (.user, "bob"), (.user, "carol"),
                (.user, "dan"),
            ] {
                each += try await budgets.statuses(scope, id: id)
            }
            #expect(listed == each)
            #expect(listed.filter { $0.scope == .user }.map(\.period) == [
                .lifetime, .daily, .lifetime, .daily, .lifetime, .daily, .lifetime, .daily, .weekly,
            ])
            #expect(try await budgets.allStatuses(scope: .user).count == 9)
        }
    }

    @Test(arguments: LedgerEngine.available)
    func hundredsOfConcurrentReservationsFromSeveralStoresNeverPassALimit(_ engine: LedgerEngine) async throws {
        try await withEngine(engine) { harness in
            let defaults = BudgetDefaults(limits: [.user: [.lifetime: 60_000, .daily: 45_000], .key: [.lifetime: 200_000]])
            // One store per instance; on PostgreSQL each stamps its own instance id on its reservations.
            let stores = (0..<3).map { harness.store(defaults, instance: "i\($0)") }
            try await stores[0].setLimit(500_000, scope: .team, id: "research", period: .monthly)
            let granted = try await withThrowingTaskGroup(of: MicroDollars.self) { group in
                for index in 0..<300 {
                    group.addTask {
                        let store = stores[index % 3]
                        let subject = BudgetSubject(userID: "user\(index % 10)", keyID: "\(index % 4)", team: "research")
                        do {
                            let amount = MicroDollars(Int64(1_000 + (index * 37) % 4_000))
                            let reservation = try await store.reserve(subject, requestID: "r\(index)", amount: amount)
                            let cost = MicroDollars(amount.rawValue * Int64(index % 3) / 2)
                            try await store.settle(reservation, actualCost: cost)
                            return cost
                        } catch is BudgetExceededError {
                            return .zero
                        }
                    }
                }
                return try await group.reduce(into: MicroDollars.zero) { $0 += $1 }
            }
            #expect(granted > .zero)
            for user in 0..<10 {
                let spent = try await harness.integer(
                    "SELECT coalesce(sum(amount_usd_micros), 0) FROM ledger WHERE user_id = 'user\(user)' AND kind = 'settle'")
                #expect((spent ?? .max) <= 45_000)
            }
            #expect(try await harness.integer("SELECT coalesce(sum(reserved_usd_micros), 0) FROM budgets") == 0)
            #expect(try await stores[1].verify().isEmpty)
        }
    }
}
