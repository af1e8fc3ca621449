import Foundation
import SwitchyardCore
import Testing

@testable import SwitchyardPostgres
@testable import SwitchyardStore

/// The ledger writer leaves the same rows on each engine for the same events: the SQLite recorder and the
/// PostgreSQL committer map events to columns separately, so this is what keeps them in step.
@Suite(.timeLimit(.minutes(5))) struct LedgerEventContractTests {
    /// A request with a failed attempt, a priced success, a breaker trip and the request events, emitted out of
    /// order and with a replay, as the writer may see them.
    static let events: [RouterEvent] = {
        var finished = Events.finished("r1", seq: 2, provider: "cloud", model: "m", outcome: .success, cost: 1_234)
        if case .attemptFinished(var attempt) = finished {
            attempt.usage = TokenUsage(
                promptTokens: 100, completionTokens: 40, cachedPromptTokens: 30, cacheWriteTokens: 10,
                reasoningTokens: 5)
            attempt.pricing = ModelPricing(inputPerMillionTokens: 1_000_000, outputPerMillionTokens: 2_000_000)
            finished = .attemptFinished(attempt)
        }
        return [
            Events.requestFinished("r1", provider: "cloud", model: "m", cost: 1_234, attempts: 2),
            Events.received("r1", key: "7", team: "research"),
            Events.started("r1", seq: 1, provider: "local", model: "l"),
            Events.finished("r1", seq: 1, provider: "local", model: "l", outcome: .error),
            Events.breaker("local", .closed, .open, openUntil: testDate(30)),
            .targetSkipped(
                TargetSkipped(
                    requestID: "r1", tier: "primary", provider: "other", model: "o", reason: .breakerOpen,
                    at: testDate())),
            Events.started("r1", seq: 2, provider: "cloud", model: "m"),
            finished,
            Events.started("r1", seq: 2, provider: "cloud", model: "m"),  // a replay after the finish
        ]
    }()

    static let checks = [
        """
        SELECT id, user_id, route, requested_model, priority, classification, stream, status, provider, model,
               prompt_tokens, completion_tokens, tokens_estimated, cost_usd_micros, latency_ms, error_code,
               attempt_count, escalated, created_at, finished_at, key_id, team FROM requests ORDER BY id
        """,
        """
        SELECT request_id, seq, tier, provider, model, is_escalation, outcome, http_status, error_code, error,
               prompt_tokens, completion_tokens, tokens_estimated, cost_usd_micros, latency_ms, started_at,
               cached_prompt_tokens, cache_write_tokens, cache_write_1h_tokens, reasoning_tokens,
               price_id IS NOT NULL FROM attempts ORDER BY request_id, seq
        """,
        "SELECT provider, from_state, to_state, reason, at, open_until FROM breaker_transitions ORDER BY id",
        "SELECT request_id, kind, tier, provider, model, reason, at FROM request_events ORDER BY id",
        "SELECT provider, model, digest, input_usd_micros_per_mtok, reasoning_usd_micros_per_mtok FROM prices",
    ]

    @Test func bothEnginesRecordTheSameRows() async throws {
        var results: [LedgerEngine: [[[SQLValue]]]] = [:]
        for engine in LedgerEngine.available {
            try await withEngine(engine) { harness in
                let sink: LedgerEventSink
                if let postgres = harness.postgres {
                    sink = LedgerEventSink(committer: PostgresEventCommitter(ledger: postgres, instanceID: "test"))
                } else {
                    sink = LedgerEventSink(database: harness.sqlite!)
                }
                try await withRunningSink(sink) { sink in
                    for event in Self.events { sink.emit(event) }
                    try await sink.flush()
                }
                var rows: [[[SQLValue]]] = []
                for check in Self.checks { rows.append(try await harness.rows(check)) }
                results[engine] = rows
            }
        }
        let sqlite = try #require(results[.sqlite])
        #expect(sqlite[0].count == 1 && sqlite[1].count == 2 && sqlite[2].count == 1 && sqlite[4].count == 1)
        if let postgres = results[.postgres] {
            for (index, check) in Self.checks.enumerated() {
                #expect(postgres[index] == sqlite[index], "\(check)")
            }
        }
    }
}
