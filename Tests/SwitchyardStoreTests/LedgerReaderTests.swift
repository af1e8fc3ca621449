import Foundation
import SwitchyardCore
import Testing

@testable import SwitchyardStore

/// The read seam the reports run on (``LedgerReader``), on each engine, and the reports' agreement across engines:
/// the same events give the same JSON, byte for byte.
@Suite(.timeLimit(.minutes(5))) struct LedgerReaderTests {
    @Test func placeholdersAreNumberedForPostgreSQLOutsideQuotes() {
        let sql = "SELECT '?', \"a?\" FROM t WHERE a = ? AND b = 'it''s ?' AND c <> ?"
        #expect(SQLDialect.sqlite.placeholders(in: sql) == sql)
        #expect(
            SQLDialect.postgres.placeholders(in: sql)
                == "SELECT '?', \"a?\" FROM t WHERE a = $1 AND b = 'it''s ?' AND c <> $2")
    }

    @Test(arguments: LedgerEngine.available)
    func oneReaderSeesOneSnapshot(_ engine: LedgerEngine) async throws {
        try await withEngine(engine) { harness in
            let insert = """
                INSERT INTO requests (id, user_id, created_at) VALUES ('%@', 'alice', '2025-06-15 12:00:00.000')
                """
            try await harness.execute(String(format: insert, "r1"))
            let counts = try await harness.withReader { reader in
                let before = try await reader.rows("SELECT count(*) FROM requests WHERE user_id = ?", [.text("alice")])
                try await harness.execute(String(format: insert, "r2"))
                let after = try await reader.rows("SELECT count(*) FROM requests")
                return [try before[0].integer(0), try after[0].integer(0)]
            }
            #expect(counts == [1, 1], "a write committed meanwhile is not seen")
            #expect(try await harness.integer("SELECT count(*) FROM requests") == 2)
            await #expect {
                try await harness.withReader { reader in
                    try await reader.rows("DELETE FROM requests")
                }
            } throws: { ($0 as? LedgerError)?.code == .databaseError }
            #expect(try await harness.integer("SELECT count(*) FROM requests") == 2, "the reader is read-only")
        }
    }

    @Test(arguments: LedgerEngine.available)
    func rowsComeBackAsTheSameValues(_ engine: LedgerEngine) async throws {
        try await withEngine(engine) { harness in
            try await harness.execute(
                """
                INSERT INTO attempts (request_id, seq, provider, model, outcome, cost_usd_micros, latency_ms,
                                      started_at)
                VALUES ('r1', 1, 'A', 'a1', 'success', 9007199254740993, NULL, '2025-06-15 12:00:00.000')
                """)
            let row = try await harness.withReader { reader in
                try await reader.rows(
                    """
                    SELECT sum(cost_usd_micros), count(*), latency_ms, provider, substr(started_at, 1, 10),
                           ? + 1, ?
                    FROM attempts GROUP BY latency_ms, provider, started_at
                    """, [.integer(41), .text("x")])
            }
            #expect(
                row.map(\.values) == [
                    [.integer(9_007_199_254_740_993), .integer(1), .null, .text("A"), .text("2025-06-15"), .integer(42),
                     .text("x")]
                ])
        }
    }

    /// Every report over the same events, on SQLite and on PostgreSQL: identical JSON.
    @Test(.enabled(if: LedgerEngine.available.contains(.postgres))) func bothEnginesGiveTheSameReports() async throws {
        let since = testDate(-3600)
        let until = testDate(86_400 * 40)
        var today = ModelPricing(
            TokenPrices(
                inputPerMillionTokens: 3_000_000, outputPerMillionTokens: 9_000_000,
                cachedInputPerMillionTokens: 300_000))
        today.outputPerMillionTokens = 11_000_000
        let prices = PriceTable(entries: ["A": ["a1": today], "B": ["b1": today]])
        var requests = [CostReport.Request(range: ReportRange(since: since, until: until), groupedBy: [])]
        for dimension in CostDimension.allCases {
            requests.append(CostReport.Request(range: ReportRange(since: since, until: until), groupedBy: [dimension]))
            requests.append(
                CostReport.Request(
                    range: ReportRange(since: .init(since), until: nil), groupedBy: [dimension, .provider],
                    repricing: prices))
        }
        func everything(_ harness: EngineHarness) async throws -> (json: [String], totals: LedgerTotals) {
            try await Self.fillEverything(harness)
            var json: [String] = []
            for request in requests {
                let report = try await harness.report(request)
                json.append(String(decoding: try SwitchyardJSON.encoder.encode(report), as: UTF8.self))
            }
            for grouping in ReliabilityReport.Grouping.allCases {
                let report = try await harness.report(
                    ReliabilityReport.Request(range: ReportRange(since: since, until: until), groupedBy: grouping))
                json.append(String(decoding: try SwitchyardJSON.encoder.encode(report), as: UTF8.self))
            }
            return (json, try await harness.totals())
        }
        var sqlite: (json: [String], totals: LedgerTotals)?
        try await withEngine(.sqlite) { sqlite = try await everything($0) }
        var postgres: (json: [String], totals: LedgerTotals)?
        try await withEngine(.postgres) { postgres = try await everything($0) }
        let (expected, actual) = (try #require(sqlite), try #require(postgres))
        #expect(actual.json.count == expected.json.count)
        for (index, (a, b)) in zip(expected.json, actual.json).enumerated() {
            #expect(a == b, "report \(index)")
        }
        #expect(actual.totals == expected.totals)
        #expect(expected.json.contains { $0.contains(#""week":"2025-06-09""#) })
    }

    /// The reports tests' ledger, plus keys, teams, weeks, months, cache and reasoning tokens, and text that sorts
    /// differently bytewise than in a locale (upper case, `_`, non-ASCII).
    private static func fillEverything(_ harness: EngineHarness) async throws {
        try await LedgerReportsTests().fill(harness)
        try await harness.withSink { sink in
            let cases: [(String, String?, String?, Double, String, String)] = [
                ("k1", "1", "research", 0, "A", "a1"), ("k2", "2", "Research", 60, "B", "b1"),
                ("k3", "3", "ops", 86_400, "B", "b1"), ("k4", "1", "_ops", 86_400 * 20, "A", "a1"),
                ("k5", nil, nil, 3_600, "Ä", "ä1"), ("k6", "2", "ops", 86_400 * 8, "a", "z"),
            ]
            for (index, (id, key, team, offset, provider, model)) in cases.enumerated() {
                let at = testDate(offset)
                let user = index.isMultiple(of: 2) ? "Zed" : "amy"
                sink.emit(Events.received(id, user: user, at: at, key: key, team: team))
                let usage = TokenUsage(
                    promptTokens: 1_000 + index * 37, completionTokens: 200 + index * 11,
                    cachedPromptTokens: 100 * index, cacheWriteTokens: 7 * index, cacheWrite1hTokens: index,
                    reasoningTokens: 5 * index)
                sink.emit(
                    .attemptFinished(
                        AttemptFinished(
                            requestID: id, seq: 1, tier: "primary", provider: provider, model: model,
                            outcome: .success, isEscalation: false, httpStatus: 200, errorCode: nil, errorMessage: nil,
                            usage: usage, cost: MicroDollars(Int64(1_234 * (index + 1))),
                            latency: .milliseconds(10 * (index + 1)), startedAt: at)))
                sink.emit(
                    Events.requestFinished(
                        id, user: user, provider: provider, model: model,
                        cost: MicroDollars(Int64(1_234 * (index + 1))), at: at + 1))
            }
        }
    }
}
