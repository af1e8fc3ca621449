import Foundation
import GRDB
import SwitchyardCore
import Testing

@testable import SwitchyardStore

/// The ledger's side of cache-aware prices: the breakdown and price entry of each attempt, the migration that adds
/// them, and the re-priced cost report.
@Suite(.timeLimit(.minutes(5))) struct TokenPriceLedgerTests {
    let since = testDate(-3600)
    let until = testDate(86_400)

    /// input $2, output $8, cached $0.50 per MTok.
    static let billed = ModelPricing(
        TokenPrices(inputPerMillionTokens: 2_000_000, outputPerMillionTokens: 8_000_000,
            cachedInputPerMillionTokens: 500_000))

    static func attempt(
        _ id: String, provider: String = "oai", model: String = "m", usage: TokenUsage?, pricing: ModelPricing?,
        cost: MicroDollars
    ) -> RouterEvent {
        .attemptFinished(
            AttemptFinished(
                requestID: id, seq: 1, tier: "primary", provider: provider, model: model, outcome: .success,
                isEscalation: false, httpStatus: nil, errorCode: nil, errorMessage: nil, usage: usage, cost: cost,
                pricing: pricing, latency: .milliseconds(10), startedAt: testDate()))
    }

    @Test func eachAttemptKeepsItsBreakdownAndThePriceItWasBilledAt() async throws {
        try await withLedger { database in
            var raised = Self.billed
            raised.inputPerMillionTokens = 3_000_000
            let usage = TokenUsage(
                promptTokens: 1_000, completionTokens: 200, cachedPromptTokens: 600, cacheWriteTokens: 100,
                cacheWrite1hTokens: 50, reasoningTokens: 120)
            try await withRunningSink(LedgerEventSink(database: database)) { sink in
                sink.emit(Self.attempt("r1", usage: usage, pricing: Self.billed, cost: 2_700))
                // A later batch finds the price among those committed.
                try await sink.flush()
                sink.emit(Self.attempt("r2", usage: usage, pricing: Self.billed, cost: 2_700))
                sink.emit(Self.attempt("r3", usage: usage, pricing: raised, cost: 3_000))
                sink.emit(Self.attempt("r4", model: "other", usage: usage, pricing: Self.billed, cost: 2_700))
                sink.emit(Self.attempt("r5", usage: nil, pricing: nil, cost: 0))
            }
            let rows = try await database.query(
                """
                SELECT request_id, cached_prompt_tokens, cache_write_tokens, cache_write_1h_tokens, reasoning_tokens,
                       price_id FROM attempts ORDER BY request_id
                """
            ).rows
            #expect(rows[0].map(\.description) == ["r1", "600", "100", "50", "120", "1"])
            #expect(rows[1].last == .integer(1), "the same price is one entry")
            #expect(rows[2].last == .integer(2), "a changed price is a new entry")
            #expect(rows[3].last == .integer(3), "an entry is per provider and model")
            #expect(rows[4].dropFirst().allSatisfy { $0 == .null }, "no usage, no price")
            let prices = try await database.query(
                """
                SELECT provider, model, input_usd_micros_per_mtok, output_usd_micros_per_mtok,
                       cached_input_usd_micros_per_mtok, cache_write_usd_micros_per_mtok,
                       cache_write_1h_usd_micros_per_mtok, reasoning_usd_micros_per_mtok, long_context_above_tokens
                FROM prices ORDER BY id
                """
            ).rows
            // Defaults applied: cache writes at the input price, reasoning at the output price.
            #expect(prices[0].map(\.description) == ["oai", "m", "2000000", "8000000", "500000", "2000000", "2000000",
                "8000000", "NULL"])
            #expect(prices[1][2] == .integer(3_000_000))
            #expect(prices.count == 3)
        }
    }

    @Test(arguments: LedgerEngine.available)
    func aRepricedReportPricesEachCallAtTheGivenTableAndChangesNothing(_ engine: LedgerEngine) async throws {
        try await withEngine(engine) { harness in
            try await harness.withSink { sink in
                sink.emit(Events.received("r1", user: "alice"))
                // 400 × 2 + 600 × 0.50 + 200 × 8 = 2,700 µ$ billed.
                sink.emit(
                    Self.attempt(
                        "r1",
                        usage: TokenUsage(promptTokens: 1_000, completionTokens: 200, cachedPromptTokens: 600),
                        pricing: Self.billed, cost: 2_700))
                sink.emit(Events.received("r2", user: "bob"))
                sink.emit(
                    Self.attempt(
                        "r2", usage: TokenUsage(promptTokens: 3, completionTokens: 0, cachedPromptTokens: 3),
                        pricing: Self.billed, cost: 2))
                sink.emit(Events.received("r3", user: "bob"))
                sink.emit(
                    Self.attempt(
                        "r3", provider: "gone", usage: TokenUsage(promptTokens: 10, completionTokens: 10),
                        pricing: Self.billed, cost: 100))
            }
            // Today cached input is $0.20 and output $10: r1 = 400 × 2 + 600 × 0.20 + 200 × 10 = 2,920 µ$;
            // r2 = 3 × 0.20 = 0.6 → 1 µ$ (each call rounded on its own); r3's provider is gone: billed cost kept.
            var today = Self.billed
            today.base.cachedInputPerMillionTokens = 200_000
            today.outputPerMillionTokens = 10_000_000
            let table = PriceTable(entries: ["oai": ["m": today]])
            let request = try CostReport.Request(
                parameters: ReportParameters(
                    ["group_by": "user", "reprice": "true", "since": "2025-06-15", "until": "2025-06-16"],
                    currentPrices: table))
            #expect(request.repricing == table)
            let report = try await harness.costReport(request)
            #expect(report.rows.map(\.user) == ["alice", "bob"])
            #expect(report.rows.map(\.cost) == [2_700, 102])
            #expect(report.rows.map(\.repricedCost) == [2_920, 101])
            #expect(report.rows.map(\.unpricedAttempts) == [0, 1])
            #expect(report.total.repricedCost == 3_021 && report.total.cost == 2_802)
            #expect(report.rows[0].cachedPromptTokens == 600 && report.total.cachedPromptTokens == 603)
            let json = String(decoding: try SwitchyardJSON.encoder.encode(report), as: UTF8.self)
            #expect(json.contains(#""repriced":true"#) && json.contains(#""repriced_cost_usd":"0.002920""#), "\(json)")
            // The ledger is as it was.
            #expect(try await harness.integer("SELECT sum(cost_usd_micros) FROM attempts") == 2_802)
            // Without reprice, no re-priced figures.
            let plain = try await harness.costReport(since: since, until: until, groupedBy: [.user])
            #expect(plain.rows.allSatisfy { $0.repricedCost == nil } && !plain.isRepriced)
            #expect {
                try CostReport.Request(parameters: ReportParameters(["reprice": "yes"]))
            } throws: { ($0 as? ReportParameterError)?.parameter == "reprice" }
        }
    }

    @Test func aLedgerAt0004WithHistoryMigratesWithItsHistoryIntact() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.appending(path: "ledger.sqlite").path
            let old = try LedgerDatabase(path: path, migrate: false)
            try old.migrate(upTo: "0004_budget_scopes")
            try await old.pool.write { db in
                try db.execute(
                    sql: """
                        INSERT INTO requests (id, user_id, status, provider, model, prompt_tokens, completion_tokens,
                                              cost_usd_micros, attempt_count, created_at, finished_at)
                        VALUES ('r1', 'alice', 'success', 'oai', 'm', 1000, 200, 3600, 1,
                                '2025-06-15 12:00:00.000', '2025-06-15 12:00:01.000');
                        INSERT INTO attempts (request_id, seq, provider, model, outcome, prompt_tokens,
                                              completion_tokens, cost_usd_micros, latency_ms, started_at)
                        VALUES ('r1', 1, 'oai', 'm', 'success', 1000, 200, 3600, 900, '2025-06-15 12:00:00.000');
                        INSERT INTO ledger (user_id, request_id, kind, amount_usd_micros, at) VALUES
                            ('alice', 'r1', 'reserve', 5000, '2025-06-15 12:00:00.000'),
                            ('alice', 'r1', 'settle', 3600, '2025-06-15 12:00:01.000'),
                            ('alice', 'r1', 'release', 1400, '2025-06-15 12:00:01.000');
                        INSERT INTO budgets (user_id, spent_usd_micros, reserved_usd_micros, updated_at)
                        VALUES ('alice', 3600, 0, '2025-06-15 12:00:01.000');
                        """)
            }
            try old.close()

            let database = try LedgerDatabase(path: path)
            #expect(try database.migrationStatus().isUpToDate)
            let attempt = try await database.query(
                """
                SELECT prompt_tokens, completion_tokens, cost_usd_micros, latency_ms, cached_prompt_tokens,
                       reasoning_tokens, price_id FROM attempts
                """
            ).rows
            #expect(attempt.first?.map(\.description) == ["1000", "200", "3600", "900", "NULL", "NULL", "NULL"])
            let budgets = SQLiteBudgetStore(database: database, defaultLimit: 1_000_000, now: { testDate() })
            #expect(try await budgets.verify().isEmpty)
            #expect(try await budgets.status(userID: "alice").spent == 3_600)
            // An old attempt re-prices as plain input and output: 1,000 × 2 + 200 × 8 = 3,600 µ$.
            let report = try await database.costReport(
                CostReport.Request(
                    range: ReportRange(since: since, until: until), groupedBy: [.model],
                    repricing: PriceTable(entries: ["oai": ["m": Self.billed]])))
            #expect(report.rows.first?.repricedCost == 3_600 && report.rows.first?.cost == 3_600)
            // New attempts are recorded beside the old ones.
            try await withRunningSink(LedgerEventSink(database: database)) { sink in
                sink.emit(
                    Self.attempt(
                        "r2", usage: TokenUsage(promptTokens: 10, completionTokens: 1, cachedPromptTokens: 4),
                        pricing: Self.billed, cost: 22))
            }
            #expect(try await database.count("attempts") == 2)
            #expect(try await database.integer("SELECT cached_prompt_tokens FROM attempts WHERE request_id = 'r2'") == 4)
        }
    }
}
