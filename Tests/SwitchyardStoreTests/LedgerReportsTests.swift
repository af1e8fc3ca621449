import Foundation
import SwitchyardCore
import Testing

@testable import SwitchyardStore

@Suite(.timeLimit(.minutes(5))) struct LedgerReportsTests {
    let since = testDate(-3600)
    let until = testDate(86_400 * 2)

    @Test(arguments: LedgerEngine.available)
    func reportsOnAnEmptyLedger(_ engine: LedgerEngine) async throws {
        try await withEngine(engine) { harness in
            let cost = try await harness.costReport(since: since, until: until, groupedBy: [.user, .provider])
            #expect(cost.rows.isEmpty)
            #expect(cost.total == .init(requests: 0, attempts: 0, promptTokens: 0, completionTokens: 0, cost: 0))
            let reliability = try await harness.reliabilityReport(since: since, until: until)
            #expect(
                reliability.requests
                    == .init(total: 0, successes: 0, successRate: nil, failedOver: 0, escalated: 0, byStatus: [:]))
            #expect(reliability.providers.isEmpty)
            #expect(reliability.models.isEmpty)
            _ = try JSONEncoder().encode(reliability)
        }
    }

    /// r1 (alice): A/a1 fails, then B/b1 succeeds.  r2 (bob): A/a1 succeeds.
    /// r3 (alice): A/a2 asks to escalate, B/b1 answers.  r4 (bob): refused by budget.
    /// r5 (bob, next day): B/b1 succeeds.  A's breaker trips twice.
    func fill(_ harness: EngineHarness) async throws {
        try await harness.withSink { sink in
            sink.emit(Events.received("r1", user: "alice"))
            sink.emit(Events.finished("r1", seq: 1, provider: "A", model: "a1", outcome: .error, latencyMs: 1000))
            sink.emit(
                Events.finished("r1", seq: 2, provider: "B", model: "b1", outcome: .success, cost: 300, latencyMs: 200))
            sink.emit(Events.requestFinished("r1", user: "alice", provider: "B", model: "b1", cost: 300, attempts: 2))

            sink.emit(Events.received("r2", user: "bob"))
            sink.emit(
                Events.finished("r2", seq: 1, provider: "A", model: "a1", outcome: .success, cost: 100, latencyMs: 50))
            sink.emit(Events.requestFinished("r2", user: "bob", provider: "A", model: "a1", cost: 100))

            sink.emit(Events.received("r3", user: "alice"))
            sink.emit(
                Events.finished("r3", seq: 1, provider: "A", model: "a2", outcome: .escalated, cost: 50, latencyMs: 30))
            sink.emit(
                Events.finished(
                    "r3", seq: 2, provider: "B", model: "b1", outcome: .success, cost: 500, latencyMs: 400,
                    escalation: true))
            sink.emit(
                Events.requestFinished(
                    "r3", user: "alice", provider: "B", model: "b1", cost: 550, attempts: 2, escalated: true))

            sink.emit(Events.received("r4", user: "bob"))
            sink.emit(Events.requestFinished("r4", user: "bob", status: .rejectedBudget, cost: 0, attempts: 0))

            let tomorrow = testDate(86_400)
            sink.emit(Events.received("r5", user: "bob", at: tomorrow))
            sink.emit(
                Events.finished(
                    "r5", seq: 1, provider: "B", model: "b1", outcome: .success, cost: 1_000, latencyMs: 600,
                    at: tomorrow))
            sink.emit(
                Events.requestFinished("r5", user: "bob", provider: "B", model: "b1", cost: 1_000, at: tomorrow + 1))

            sink.emit(Events.breaker("A", .closed, .open, openUntil: testDate(30)))
            sink.emit(Events.breaker("A", .open, .halfOpen, at: testDate(30)))
            sink.emit(Events.breaker("A", .halfOpen, .open, at: testDate(31), openUntil: testDate(90)))
            sink.emit(Events.breaker("C", .closed, .open, at: testDate(40), openUntil: testDate(100)))
            // Outside the range: ignored.
            sink.emit(Events.breaker("A", .closed, .open, at: testDate(-7200)))
            sink.emit(
                Events.finished(
                    "old", seq: 1, provider: "A", model: "a1", outcome: .success, cost: 9_999, at: testDate(-7200)))
            try await sink.flush()
        }
    }

    @Test(arguments: LedgerEngine.available)
    func costsByKeyTeamWeekAndMonth(_ engine: LedgerEngine) async throws {
        try await withEngine(engine) { harness in
            try await harness.withSink { sink in
                // 2025-06-15 is a Sunday: r3, a day later, falls in the next ISO week; r4 (a Saturday) in July.
                for (id, key, team, offset, cost) in [
                    ("r1", "1", "research", 0.0, 100), ("r2", "2", "research", 60.0, 200), ("r3", "3", "ops", 86_400.0, 400),
                    ("r4", "1", "research", 86_400.0 * 20, 800), ("r5", nil, nil, 0.0, 1_600),
                ] as [(String, String?, String?, Double, Int64)] {
                    let at = testDate(offset)
                    sink.emit(Events.received(id, key: key, team: team))
                    sink.emit(
                        Events.finished(
                            id, seq: 1, provider: "A", model: "a1", outcome: .success, cost: MicroDollars(cost),
                            latencyMs: 10, at: at))
                }
            }
            let range = (since, testDate(86_400 * 40))
            let byTeamMonth = try await harness.costReport(
                since: range.0, until: range.1, groupedBy: [.team, .month])
            #expect(
                byTeamMonth.rows.map { "\($0.values[.team] ?? "-") \($0.values[.month]!) \($0.cost.rawValue)" } == [
                    "- 2025-06 1600", "ops 2025-06 400", "research 2025-06 300", "research 2025-07 800",
                ])
            let byKey = try await harness.costReport(since: range.0, until: range.1, groupedBy: [.key])
            #expect(byKey.rows.map { "\($0.values[.key] ?? "-") \($0.cost.rawValue)" } == ["- 1600", "1 900", "2 200", "3 400"])
            let byWeek = try await harness.costReport(since: range.0, until: range.1, groupedBy: [.week])
            #expect(byWeek.rows.map { $0.values[.week]! } == ["2025-06-09", "2025-06-16", "2025-06-30"])
            let json = String(decoding: try SwitchyardJSON.encoder.encode(byTeamMonth), as: UTF8.self)
            #expect(json.contains(#""month":"2025-07""#) && json.contains(#""team":"research""#))
        }
    }

    @Test(arguments: LedgerEngine.available)
    func costTotalsByEachDimension(_ engine: LedgerEngine) async throws {
        try await withEngine(engine) { harness in
            try await fill(harness)
            let byUser = try await harness.costReport(since: since, until: until, groupedBy: [.user])
            #expect(
                byUser.rows == [
                    .init(values: [.user: "alice"], requests: 2, attempts: 4, promptTokens: 30, completionTokens: 60, cost: 850),
                    .init(values: [.user: "bob"], requests: 2, attempts: 2, promptTokens: 20, completionTokens: 40, cost: 1_100),
                ])
            #expect(
                byUser.total == .init(requests: 4, attempts: 6, promptTokens: 50, completionTokens: 100, cost: 1_950))

            let byProviderModel = try await harness.costReport(
                since: since, until: until, groupedBy: [.provider, .model, .provider])
            #expect(byProviderModel.groupedBy == [.provider, .model])
            #expect(
                byProviderModel.rows.map { [$0.provider!, $0.model!, $0.cost.decimalString] } == [
                    ["A", "a1", "0.000100"], ["A", "a2", "0.000050"], ["B", "b1", "0.001800"],
                ])

            let byDay = try await harness.costReport(since: since, until: until, groupedBy: [.day])
            #expect(byDay.rows.map(\.day) == ["2025-06-15", "2025-06-16"])
            #expect(byDay.rows.map(\.cost) == [950, 1_000])

            let firstDayOnly = try await harness.costReport(since: since, until: testDate(86_400), groupedBy: [])
            #expect(firstDayOnly.rows == [firstDayOnly.total])
            #expect(firstDayOnly.total.cost == 950)
        }
    }

    @Test(arguments: LedgerEngine.available)
    func reliabilityPerProviderAndModel(_ engine: LedgerEngine) async throws {
        try await withEngine(engine) { harness in
            try await fill(harness)
            let report = try await harness.reliabilityReport(since: since, until: until)
            #expect(
                report.requests
                    == .init(
                        total: 5, successes: 4, successRate: 0.8, failedOver: 2, escalated: 1,
                        byStatus: ["success": 4, "rejected_budget": 1]))
            #expect(
                report.providers == [
                    .init(
                        provider: "A", requests: 3, attempts: 3, successes: 1, successRate: 1.0 / 3, failovers: 1,
                        escalations: 1, breakerTrips: 2, p50LatencyMs: 50, p95LatencyMs: 50),
                    .init(
                        provider: "B", requests: 3, attempts: 3, successes: 3, successRate: 1, failovers: 0,
                        escalations: 0, breakerTrips: 0, p50LatencyMs: 400, p95LatencyMs: 600),
                    .init(
                        provider: "C", requests: 0, attempts: 0, successes: 0, successRate: nil, failovers: 0,
                        escalations: 0, breakerTrips: 1, p50LatencyMs: nil, p95LatencyMs: nil),
                ])
            #expect(report.models.map { "\($0.provider)/\($0.model!)" } == ["A/a1", "A/a2", "B/b1"])
            #expect(report.models[0].failovers == 1)
            #expect(report.models[0].successes == 1)
            #expect(report.models[1].escalations == 1)
            #expect(report.models[1].p50LatencyMs == nil)
        }
    }

    @Test(arguments: LedgerEngine.available)
    func reportsEncodeThePublicJSON(_ engine: LedgerEngine) async throws {
        try await withEngine(engine) { harness in
            try await fill(harness)
            let range = ReportRange(since: .init(since), until: nil)
            let cost = try await harness.report(CostReport.Request(range: range, groupedBy: [.user]))
            let costJSON = try Self.object(SwitchyardJSON.encoder.encode(cost))
            #expect(costJSON["since"] as? String == since.formatted(.iso8601))
            #expect(costJSON["until"] is NSNull)
            #expect(costJSON["group_by"] as? [String] == ["user"])
            let row = try #require((costJSON["rows"] as? [[String: Any]])?.first)
            #expect(
                Set(row.keys) == [
                    "user", "requests", "attempts", "prompt_tokens", "completion_tokens", "cached_prompt_tokens",
                    "cache_write_tokens", "reasoning_tokens", "cost_usd", "cost_usd_micros",
                ])
            #expect(costJSON["repriced"] as? Bool == false)
            #expect(row["cost_usd"] as? String == "0.000850")
            #expect((row["cost_usd_micros"] as? NSNumber)?.int64Value == 850)
            #expect((costJSON["total"] as? [String: Any])?["user"] == nil)

            let request = ReliabilityReport.Request(range: ReportRange(since: since, until: until), groupedBy: .model)
            let reliability = try await harness.report(request)
            #expect(reliability.entries == reliability.models)
            let api = try Self.object(SwitchyardJSON.encoder.encode(reliability))
            #expect(api["group_by"] as? String == "model")
            #expect((api["entries"] as? [[String: Any]])?.first?["model"] as? String == "a1")
            #expect(api["rows"] == nil)
            let requests = try #require(api["requests"] as? [String: Any])
            #expect(Set(requests.keys) == ["total", "successes", "success_rate", "failed_over", "escalated", "by_status"])
            let cli = try Self.object(
                SwitchyardJSON.makeEncoder(userInfo: [.reportAudience: ReportAudience.commandLine]).encode(reliability))
            #expect((cli["rows"] as? [Any])?.count == reliability.models.count)
            #expect(cli["entries"] == nil)

            let byProvider = try await harness.reliabilityReport(since: since, until: until)
            let entry = try #require(
                (try Self.object(SwitchyardJSON.encoder.encode(byProvider))["entries"] as? [[String: Any]])?.last)
            #expect(entry["model"] == nil)
            #expect(entry["p50_latency_ms"] is NSNull)
            #expect(entry["success_rate"] is NSNull)
        }
    }

    @Test func requestsFromParameters() throws {
        let now = testDate()
        let costs = try CostReport.Request(
            parameters: ReportParameters(["group_by": "provider,day", "since": "2025-06-01"], now: now))
        #expect(costs.groupedBy == [.provider, .day])
        #expect(costs.range.since?.text == "2025-06-01T00:00:00Z")
        #expect(costs.range.until == ReportRange.Bound(now.addingTimeInterval(86_400)))
        #expect(try CostReport.Request(parameters: ReportParameters([:])).groupedBy == [.user])
        let reliability = try ReliabilityReport.Request(parameters: ReportParameters([:], now: now))
        #expect(reliability.groupedBy == .provider)
        #expect(reliability.range.since?.text == "1970-01-01T00:00:00Z")

        let refusals: [([String: String], String)] = [
            (["group_by": "planet"], "'group_by' must be user, provider, model, day, key, team, week, month, hour (comma-separated), not 'planet'"),
            (["since": "yesterday"], "'since' must be a date (2026-11-21) or an ISO-8601 time, not 'yesterday'"),
            (["since": "2030-01-02", "until": "2030-01-01"], "'since' must be before 'until'"),
        ]
        for (values, message) in refusals {
            #expect(throws: ReportParameterError.self) { try CostReport.Request(parameters: ReportParameters(values)) }
            do {
                _ = try CostReport.Request(parameters: ReportParameters(values))
            } catch {
                #expect(error.message == message)
            }
        }
        #expect(throws: ReportParameterError(parameter: "group_by", message: "'group_by' must be provider or model, not 'user'")) {
            try ReliabilityReport.Request(parameters: ReportParameters(["group_by": "user"]))
        }
        #expect(ReportRange.date(parsing: "2026-11-21") == ReportRange.date(parsing: "2026-11-21T01:00:00+01:00"))
        #expect(ReportRange.date(parsing: "2026-11-21 00:00:00") == nil)
    }

    @Test(arguments: LedgerEngine.available)
    func totalsOverTheWholeLedger(_ engine: LedgerEngine) async throws {
        try await withEngine(engine) { harness in
            let empty = try await harness.totals()
            #expect(empty.requests.total == 0)
            #expect(empty.requests.averageLatencyMs == 0)
            #expect(empty.requests.cost == .zero)
            #expect(empty.providers.isEmpty)
            try await fill(harness)
            let totals = try await harness.totals()
            #expect(totals.requests.total == 5)
            #expect(totals.requests.successes == 4)
            #expect(totals.requests.failures == 1)
            #expect(totals.requests.cost == 1_950)
            #expect(totals.providers.map(\.name) == ["A", "B"])
            let a = try #require(totals.providers.first)
            // A: r1 error, r2 success, r3 escalated (answered), and the old success outside any range.
            #expect(a.calls == 4)
            #expect(a.successes == 3)
            #expect(a.failures == 1)
            #expect(a.averageLatencyMs == 295)
            #expect(totals.providers.last?.averageLatencyMs == 400)
            #expect(totals.requests.averageLatencyMs == 250)
        }
    }

    private static func object(_ data: Data) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }
}
