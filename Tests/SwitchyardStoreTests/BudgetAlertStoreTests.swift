import Foundation
import SwitchyardCore
import Synchronization
import Testing

@testable import SwitchyardPostgres
@testable import SwitchyardStore

/// Budget alerts on both engines: what a settlement records when it crosses a threshold of a limit, and what the
/// alert store (``BudgetAlertDirectory``) lists and marks.
@Suite(.timeLimit(.minutes(5))) struct BudgetAlertStoreTests {
    /// Reserves and settles `amount` for `subject` through `budgets`.
    private func spend(
        _ amount: MicroDollars, _ requestID: String, _ subject: BudgetSubject = BudgetSubject(userID: "alice"),
        with budgets: any BudgetStore
    ) async throws {
        let reservation = try await budgets.reserve(subject, requestID: requestID, amount: amount)
        try await budgets.settle(reservation, actualCost: amount)
    }

    @Test(arguments: LedgerEngine.available)
    func alertsAreRecordedOncePerWindowAndThresholdAcrossARestart(_ engine: LedgerEngine) async throws {
        try await withEngine(engine) { harness in
            func budgets() -> any BudgetAdministration {
                // A new store each time: a restart (or another instance) records nothing twice either.
                harness.store(
                    BudgetDefaults(userLifetimeLimit: 10_000), alertThresholds: [100, 50, 0, 50], now: { testDate() })
            }
            let alerts = harness.alerts()
            try await spend(3_000, "r1", with: budgets())
            #expect(try await alerts.unsent(limit: 100).isEmpty)
            let crossing = budgets()
            try await spend(3_000, "r2", with: crossing)
            await harness.alertsRecorded(by: crossing)?.wait()  // told, so this returns at once
            try await spend(1_000, "r3", with: budgets())
            let first = try await alerts.unsent(limit: 100)
            #expect(first.map(\.thresholdPercent) == [50])
            let alert = try #require(first.first)
            #expect(alert.scope == .user && alert.scopeID == "alice" && alert.period == .lifetime)
            #expect(alert.windowStart == nil)
            #expect(alert.spent == 6_000 && alert.requestID == "r2" && alert.limit == 10_000)
            #expect(alert.createdAt == testDate() && alert.sentAt == nil && alert.attempts == 0)

            try await spend(3_000, "r4", with: budgets())
            let all = try await alerts.list(since: nil, until: nil, limit: 1000)
            #expect(all.map(\.thresholdPercent) == [100, 50])
            #expect(all.map(\.requestID) == ["r4", "r2"])
            #expect(try await harness.integer("SELECT count(*) FROM budget_alerts") == 2)
        }
    }

    @Test(arguments: LedgerEngine.available)
    func withoutThresholdsNothingIsRecorded(_ engine: LedgerEngine) async throws {
        try await withEngine(engine) { harness in
            let budgets = harness.store(BudgetDefaults(userLifetimeLimit: 1_000), now: { testDate() })
            try await spend(1_000, "r1", with: budgets)
            #expect(try await harness.integer("SELECT count(*) FROM budget_alerts") == 0)
        }
    }

    /// A key's daily limit and a team's lifetime one: each scope and window has its own alerts, and a new day
    /// records the daily one again.
    @Test(arguments: LedgerEngine.available)
    func eachScopeAndWindowHasItsOwnAlerts(_ engine: LedgerEngine) async throws {
        try await withEngine(engine) { harness in
            let day = Mutex<Double>(0)
            let defaults = BudgetDefaults(
                limits: [.user: [.lifetime: 1_000_000], .key: [.daily: 1_000], .team: [.lifetime: 2_500]],
                timeZone: TimeZone(identifier: "UTC")!)
            let budgets = harness.store(defaults, alertThresholds: [80], now: { testDate(day.withLock { $0 } * 86_400) })
            let subject = BudgetSubject(userID: "alice", keyID: "7", team: "research")
            try await spend(800, "r1", subject, with: budgets)
            day.withLock { $0 = 1 }
            try await spend(900, "r2", subject, with: budgets)
            try await spend(100, "r3", subject, with: budgets)
            day.withLock { $0 = 2 }
            try await spend(500, "r4", subject, with: budgets)

            let alerts = try await harness.alerts().unsent(limit: 100)
            #expect(alerts.map(\.scope) == [.key, .key, .team])
            #expect(alerts.map(\.requestID) == ["r1", "r2", "r4"])
            #expect(alerts.map(\.period) == [.daily, .daily, .lifetime])
            #expect(alerts[0].windowStart == Calendar(identifier: .gregorian).startOfDayUTC(testDate()))
            #expect(alerts[1].windowStart == Calendar(identifier: .gregorian).startOfDayUTC(testDate(86_400)))
            #expect(alerts[2].windowStart == nil && alerts[2].spent == 2_300 && alerts[2].limit == 2_500)
        }
    }

    @Test(arguments: LedgerEngine.available)
    func markSentAndMarkFailedRecordDeliveries(_ engine: LedgerEngine) async throws {
        try await withEngine(engine) { harness in
            let budgets = harness.store(
                BudgetDefaults(userLifetimeLimit: 10_000), alertThresholds: [50, 90], now: { testDate() })
            try await spend(5_000, "r1", with: budgets)
            try await spend(4_000, "r2", with: budgets)
            let alerts = harness.alerts(now: { testDate(30) })
            let unsent = try await alerts.unsent(limit: 100)
            #expect(unsent.map(\.thresholdPercent) == [50, 90])
            #expect(try await alerts.unsent(limit: 1).map(\.thresholdPercent) == [50])

            try await alerts.markFailed(unsent[0].id, error: String(repeating: "e", count: 600))
            try await alerts.markFailed(unsent[0].id, error: "HTTP 503")
            var failed = try #require(try await alerts.unsent(limit: 100).first)
            #expect(failed.id == unsent[0].id && failed.attempts == 2 && failed.lastError == "HTTP 503")
            try await alerts.markFailed(unsent[1].id, error: String(repeating: "e", count: 600))
            failed = try #require(try await alerts.unsent(limit: 100).last)
            #expect(failed.lastError?.count == 500)

            try await alerts.markSent(unsent[0].id)
            #expect(try await alerts.unsent(limit: 100).map(\.id) == [unsent[1].id])
            let sent = try #require(try await alerts.list(since: nil, until: nil, limit: 10).last)
            #expect(sent.id == unsent[0].id && sent.sentAt == testDate(30))
            #expect(sent.attempts == 3 && sent.lastError == nil)
            try await alerts.markSent(unsent[1].id)
            #expect(try await alerts.unsent(limit: 100).isEmpty)
            try await alerts.markSent(999)  // no such alert: nothing happens
        }
    }

    @Test(arguments: LedgerEngine.available)
    func listIsNewestFirstInsideItsRange(_ engine: LedgerEngine) async throws {
        try await withEngine(engine) { harness in
            let second = Mutex<Double>(0)
            let budgets = harness.store(
                BudgetDefaults(userLifetimeLimit: 10_000), alertThresholds: [10, 20, 30],
                now: { testDate(second.withLock { $0 }) })
            for index in 1...3 {
                second.withLock { $0 = Double(index) }
                try await spend(1_000, "r\(index)", with: budgets)
            }
            let alerts = harness.alerts()
            #expect(try await alerts.list(since: nil, until: nil, limit: 1000).map(\.thresholdPercent) == [30, 20, 10])
            #expect(try await alerts.list(since: nil, until: nil, limit: 2).map(\.thresholdPercent) == [30, 20])
            #expect(
                try await alerts.list(since: testDate(2), until: nil, limit: 1000).map(\.thresholdPercent) == [30, 20])
            #expect(
                try await alerts.list(since: testDate(2), until: testDate(3), limit: 1000).map(\.thresholdPercent)
                    == [20])
            #expect(try await alerts.list(since: testDate(4), until: nil, limit: 1000).isEmpty)
        }
    }

    /// Two instances on one PostgreSQL ledger settle at once past the same threshold: one alert between them.
    @Test func twoInstancesCrossingOneThresholdAtOnceRecordItOnce() async throws {
        guard LedgerEngine.available.contains(.postgres) else { return }
        try await withEngine(.postgres) { harness in
            let ledger = try #require(harness.postgres)
            let stores = ["a", "b"].map { instance in
                PostgresBudgetStore(
                    ledger: ledger, instanceID: instance, defaults: BudgetDefaults(userLifetimeLimit: 100_000),
                    alertThresholds: [50], now: { testDate() })
            }
            try await spend(49_000, "before", with: stores[0])
            // Each of many requests on either instance takes the user past 50 %.
            var reservations: [(PostgresBudgetStore, BudgetReservation)] = []
            for index in 0..<16 {
                let store = stores[index % 2]
                reservations.append(
                    (store, try await store.reserve(userID: "alice", requestID: "r\(index)", amount: 1_000)))
            }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (store, reservation) in reservations {
                    group.addTask { try await store.settle(reservation, actualCost: 1_000) }
                }
                try await group.waitForAll()
            }
            let alerts = try await PostgresBudgetAlertStore(ledger: ledger).unsent(limit: 100)
            #expect(alerts.count == 1)
            #expect(alerts.first?.thresholdPercent == 50 && alerts.first?.spent == 50_000)
            #expect(try await harness.integer("SELECT count(*) FROM budget_alerts") == 1)
            #expect(try await stores[1].status(userID: "alice").spent == 65_000)
        }
    }
}

extension Calendar {
    /// The start of `date`'s day in UTC.
    fileprivate func startOfDayUTC(_ date: Date) -> Date {
        var calendar = self
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar.startOfDay(for: date)
    }
}
