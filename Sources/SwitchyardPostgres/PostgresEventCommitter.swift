import Foundation
public import Logging
import PostgresNIO
public import SwitchyardCore
public import SwitchyardStore
import Synchronization

/// Commits the ledger writer's batches to PostgreSQL: the rows of `LedgerEventRecorder`'s table (the SQLite
/// ledger's), in one transaction per batch, with every statement tolerant of replays and out-of-order arrival.
///
/// Budget writes never reach it: on PostgreSQL, ``PostgresBudgetStore`` moves money in transactions of its own,
/// because several instances write the same budgets and none of them owns a single writer.
package final class PostgresEventCommitter: LedgerCommitter {
    let ledger: PostgresLedger
    /// Written on every breaker transition: breakers are per instance.
    let instanceID: String
    /// `prices.id` by price, learned from committed transactions only.
    let committedPriceIDs = Mutex<[PriceKey: Int64]>([:])

    struct PriceKey: Hashable, Sendable {
        var provider: String
        var model: String
        var pricing: ModelPricing
    }

    package init(ledger: PostgresLedger, instanceID: String) {
        self.ledger = ledger
        self.instanceID = instanceID
    }

    package var location: String { ledger.location.description }

    package func isRetryable(_ error: any Error) -> Bool { PostgresFault.isRetryable(error) }

    package func commit(_ writes: [LedgerWrite]) async throws -> [Result<BudgetWrite.Outcome, any Error>] {
        var results: [Result<BudgetWrite.Outcome, any Error>] = []
        let known = committedPriceIDs.withLock { $0 }
        let learned = try await ledger.transaction { connection in
            var priceIDs = known
            for write in writes {
                switch write {
                case .event(let event):
                    try await record(event, on: connection, priceIDs: &priceIDs)
                case .budget:
                    results.append(
                        .failure(
                            LedgerError(
                                .databaseError,
                                "a budget write reached the PostgreSQL event writer; PostgresBudgetStore writes its "
                                    + "own transactions")))
                case .answered:
                    break
                }
            }
            return priceIDs
        }
        if learned.count != known.count { committedPriceIDs.withLock { $0 = learned } }
        return results
    }

    private func record(
        _ event: RouterEvent, on connection: PostgresConnection, priceIDs: inout [PriceKey: Int64]
    ) async throws {
        let logger = ledger.logger
        func run(_ query: PostgresQuery) async throws { try await connection.query(query, logger: logger) }
        func time(_ date: Date) -> String { LedgerTimestamp.string(from: date) }
        func flag(_ value: Bool) -> Int { value ? 1 : 0 }
        switch event {
        case .requestReceived(let event):
            try await run(
                """
                INSERT INTO requests
                    (id, user_id, route, requested_model, priority, classification, stream, created_at, key_id, team)
                VALUES (\(event.requestID), \(event.userID), \(event.route), \(event.requestedModel),
                        \(event.priority?.rawValue), \(event.classification.rawValue), \(flag(event.stream)),
                        \(time(event.at)), \(event.keyID), \(event.team))
                ON CONFLICT (id) DO UPDATE SET
                    user_id = excluded.user_id, route = excluded.route, requested_model = excluded.requested_model,
                    priority = excluded.priority, classification = excluded.classification, stream = excluded.stream,
                    created_at = excluded.created_at, key_id = excluded.key_id, team = excluded.team
                """)
        case .attemptStarted(let event):
            try await run(
                """
                INSERT INTO attempts (request_id, seq, tier, provider, model, is_escalation, outcome, started_at)
                VALUES (\(event.requestID), \(event.seq), \(event.tier), \(event.provider), \(event.model),
                        \(flag(event.isEscalation)), 'started', \(time(event.at)))
                ON CONFLICT (request_id, seq) DO NOTHING
                """)
        case .attemptFinished(let event):
            let startedAt = time(event.startedAt)
            var priceID: Int64?
            if let pricing = event.pricing {
                priceID = try await self.priceID(
                    pricing, provider: event.provider, model: event.model, at: startedAt, on: connection,
                    priceIDs: &priceIDs)
            }
            let usage = event.usage
            try await run(
                """
                INSERT INTO attempts (
                    request_id, seq, tier, provider, model, is_escalation, outcome, http_status, error_code, error,
                    prompt_tokens, completion_tokens, tokens_estimated, cost_usd_micros, latency_ms, started_at,
                    cached_prompt_tokens, cache_write_tokens, cache_write_1h_tokens, reasoning_tokens, price_id)
                VALUES (\(event.requestID), \(event.seq), \(event.tier), \(event.provider), \(event.model),
                        \(flag(event.isEscalation)), \(event.outcome.rawValue), \(event.httpStatus), \(event.errorCode),
                        \(event.errorMessage), \(usage?.promptTokens), \(usage?.completionTokens),
                        \(flag(usage?.isEstimated ?? false)), \(event.cost.rawValue),
                        \(event.latency.roundedMilliseconds), \(startedAt), \(usage?.cachedPromptTokens),
                        \(usage?.cacheWriteTokens), \(usage?.cacheWrite1hTokens), \(usage?.reasoningTokens), \(priceID))
                ON CONFLICT (request_id, seq) DO UPDATE SET
                    tier = excluded.tier, provider = excluded.provider, model = excluded.model,
                    is_escalation = excluded.is_escalation, outcome = excluded.outcome,
                    http_status = excluded.http_status, error_code = excluded.error_code, error = excluded.error,
                    prompt_tokens = excluded.prompt_tokens, completion_tokens = excluded.completion_tokens,
                    tokens_estimated = excluded.tokens_estimated, cost_usd_micros = excluded.cost_usd_micros,
                    latency_ms = excluded.latency_ms, started_at = excluded.started_at,
                    cached_prompt_tokens = excluded.cached_prompt_tokens,
                    cache_write_tokens = excluded.cache_write_tokens,
                    cache_write_1h_tokens = excluded.cache_write_1h_tokens,
                    reasoning_tokens = excluded.reasoning_tokens, price_id = excluded.price_id
                """)
        case .breakerTransition(let event):
            try await run(
                """
                INSERT INTO breaker_transitions (provider, from_state, to_state, reason, at, open_until, instance_id)
                VALUES (\(event.provider), \(event.from.rawValue), \(event.to.rawValue), \(event.reason),
                        \(time(event.at)), \(event.openUntil.map(time)), \(instanceID))
                """)
        case .escalated(let event):
            try await run(
                requestEvent(
                    event.requestID, "escalated", provider: event.fromProvider, model: event.fromModel,
                    toProvider: event.toProvider, toModel: event.toModel, at: time(event.at)))
        case .targetSkipped(let event):
            try await run(
                requestEvent(
                    event.requestID, "target_skipped", tier: event.tier, provider: event.provider,
                    model: event.model, reason: event.reason.rawValue, at: time(event.at)))
        case .queued(let event):
            try await run(requestEvent(event.requestID, "queued", queueLength: event.queueLength, at: time(event.at)))
        case .downgraded(let event):
            try await run(
                requestEvent(
                    event.requestID, "downgraded", tier: event.tier, reason: event.reason.rawValue, at: time(event.at)))
        case .requestFinished(let event):
            let createdAt = event.at.addingTimeInterval(-event.latency.inSeconds)
            try await run(
                """
                INSERT INTO requests (
                    id, user_id, status, provider, model, prompt_tokens, completion_tokens, tokens_estimated,
                    cost_usd_micros, latency_ms, error_code, attempt_count, escalated, created_at, finished_at)
                VALUES (\(event.requestID), \(event.userID), \(event.status.rawValue), \(event.provider),
                        \(event.model), \(event.usage.promptTokens), \(event.usage.completionTokens),
                        \(flag(event.usage.isEstimated)), \(event.cost.rawValue), \(event.latency.roundedMilliseconds),
                        \(event.errorCode), \(event.attempts), \(flag(event.escalated)), \(time(createdAt)),
                        \(time(event.at)))
                ON CONFLICT (id) DO UPDATE SET
                    status = excluded.status, provider = excluded.provider, model = excluded.model,
                    prompt_tokens = excluded.prompt_tokens, completion_tokens = excluded.completion_tokens,
                    tokens_estimated = excluded.tokens_estimated, cost_usd_micros = excluded.cost_usd_micros,
                    latency_ms = excluded.latency_ms, error_code = excluded.error_code,
                    attempt_count = excluded.attempt_count, escalated = excluded.escalated,
                    finished_at = excluded.finished_at
                """)
        }
    }

    private func requestEvent(
        _ requestID: String, _ kind: String, tier: String? = nil, provider: String? = nil, model: String? = nil,
        toProvider: String? = nil, toModel: String? = nil, reason: String? = nil, queueLength: Int? = nil, at: String
    ) -> PostgresQuery {
        """
        INSERT INTO request_events (
            request_id, kind, tier, provider, model, to_provider, to_model, reason, queue_length, at)
        VALUES (\(requestID), \(kind), \(tier), \(provider), \(model), \(toProvider), \(toModel), \(reason),
                \(queueLength), \(at))
        """
    }

    /// The id of `pricing`'s row for `provider`/`model`, inserted (first used `at`) if there is none.
    private func priceID(
        _ pricing: ModelPricing, provider: String, model: String, at: String, on connection: PostgresConnection,
        priceIDs: inout [PriceKey: Int64]
    ) async throws -> Int64? {
        let key = PriceKey(provider: provider, model: model, pricing: pricing)
        if let id = priceIDs[key] { return id }
        let figures = pricing.ledgerFigures
        var binds = PostgresBindings(capacity: 17)
        binds.append(provider)
        binds.append(model)
        binds.append(ModelPricing.ledgerDigest(figures))
        for figure in figures { binds.append(figure) }
        binds.append(at)
        let placeholders = (1...17).map { "$\($0)" }.joined(separator: ", ")
        let query = PostgresQuery(
            unsafeSQL: """
                INSERT INTO prices (
                    provider, model, digest, input_usd_micros_per_mtok, output_usd_micros_per_mtok,
                    cached_input_usd_micros_per_mtok, cache_write_usd_micros_per_mtok,
                    cache_write_1h_usd_micros_per_mtok, reasoning_usd_micros_per_mtok, long_context_above_tokens,
                    long_context_input_usd_micros_per_mtok, long_context_output_usd_micros_per_mtok,
                    long_context_cached_input_usd_micros_per_mtok, long_context_cache_write_usd_micros_per_mtok,
                    long_context_cache_write_1h_usd_micros_per_mtok, long_context_reasoning_usd_micros_per_mtok,
                    first_used_at)
                VALUES (\(placeholders))
                ON CONFLICT (provider, model, digest) DO UPDATE SET digest = excluded.digest
                RETURNING id
                """, binds: binds)
        let id = try await connection.query(query, logger: ledger.logger).collect().first?.decode(Int64.self)
        priceIDs[key] = id
        return id
    }
}

extension LedgerEventSink {
    /// A ledger writer committing to the PostgreSQL ledger, recording `instanceID` on breaker transitions.
    public convenience init(
        ledger: PostgresLedger,
        instanceID: String,
        configuration: Configuration = Configuration(),
        clock: any Clock<Duration> = ContinuousClock(),
        logger: Logger = Logger(label: "switchyard.ledger")
    ) {
        self.init(
            committer: PostgresEventCommitter(ledger: ledger, instanceID: instanceID), configuration: configuration,
            clock: clock, logger: logger)
    }
}
