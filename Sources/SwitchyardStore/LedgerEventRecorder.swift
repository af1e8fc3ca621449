import Foundation
import GRDB
import SwitchyardCore

/// Writes router events as rows, inside a transaction its caller opened. One prepared (cached) statement per event
/// kind; every statement tolerates replays and out-of-order arrival (upserts, no foreign keys), so a batch never
/// fails because of what is in it.
///
/// | event | rows |
/// | --- | --- |
/// | requestReceived | insert `requests` (status `in_progress`) |
/// | attemptStarted | insert `attempts` with outcome `started` (kept if the attempt already finished) |
/// | attemptFinished | upsert `attempts` with the outcome, tokens, cost and latency; insert its price into `prices` if new |
/// | breakerTransition | insert `breaker_transitions` |
/// | escalated, targetSkipped, queued, downgraded | insert `request_events` (kind `escalated`, `target_skipped`, `queued`, `downgraded`) |
/// | requestFinished | upsert `requests` with status, answering provider/model, tokens, cost, latency, error |
///
/// A budget write (``BudgetWrite``) runs in a savepoint of its own: when it throws (a budget exceeded, an unknown
/// reservation, a constraint), only its rows are undone and its error is its answer; the batch goes on. Only a
/// database fault (`LedgerFault`) fails the whole batch, to be retried.
enum LedgerEventRecorder {
    /// A price of a provider's model, as the writer caches its `prices` row.
    struct PriceKey: Hashable, Sendable {
        var provider: String
        var model: String
        var pricing: ModelPricing
    }

    /// Records `writes` in order.
    /// - Parameter priceIDs: the `prices` rows already committed, by price.
    /// - Returns: the result of each budget write, in order, and `priceIDs` with the rows this transaction added.
    static func record(
        _ writes: [LedgerWrite], in db: Database, priceIDs: [PriceKey: Int64] = [:]
    ) throws -> (results: [Result<BudgetWrite.Outcome, any Error>], priceIDs: [PriceKey: Int64]) {
        // Look each statement up once per batch: `cachedStatement(sql:)` hashes the whole SQL text on every call.
        var statements = Statements(db: db, priceIDs: priceIDs)
        var results: [Result<BudgetWrite.Outcome, any Error>] = []
        for write in writes {
            switch write {
            case .event(let event): try record(event, with: &statements)
            case .budget(let budgetWrite): results.append(try apply(budgetWrite, in: db))
            case .answered: break
            }
        }
        return (results, statements.priceIDs)
    }

    private static func apply(_ write: BudgetWrite, in db: Database) throws -> Result<BudgetWrite.Outcome, any Error> {
        try db.cachedStatement(sql: "SAVEPOINT budget_write").execute()
        do {
            let result = try write.apply(db)
            try db.cachedStatement(sql: "RELEASE budget_write").execute()
            return .success(result)
        } catch {
            if LedgerFault.isRetryable(error) { throw error }
            try db.cachedStatement(sql: "ROLLBACK TO budget_write").execute()
            try db.cachedStatement(sql: "RELEASE budget_write").execute()
            return .failure(error)
        }
    }

    /// The statements of one transaction, prepared (or taken from GRDB's cache) on first use.
    private struct Statements {
        let db: Database
        var cache: [Kind: Statement] = [:]
        /// `prices.id` by price: those committed before, and those this transaction adds.
        var priceIDs: [PriceKey: Int64]

        enum Kind { case request, startedAttempt, finishedAttempt, breaker, requestEvent, finishedRequest, price }

        init(db: Database, priceIDs: [PriceKey: Int64]) {
            self.db = db
            self.priceIDs = priceIDs
        }

        mutating func callAsFunction(_ kind: Kind) throws -> Statement {
            if let statement = cache[kind] { return statement }
            let sql =
                switch kind {
                case .request: insertRequest
                case .startedAttempt: insertStartedAttempt
                case .finishedAttempt: upsertFinishedAttempt
                case .breaker: insertBreakerTransition
                case .requestEvent: insertRequestEvent
                case .finishedRequest: upsertFinishedRequest
                case .price: upsertPrice
                }
            let statement = try db.cachedStatement(sql: sql)
            cache[kind] = statement
            return statement
        }

        /// The id of `pricing`'s row for `provider`/`model`, inserted (first used `at`) if there is none.
        mutating func priceID(_ pricing: ModelPricing, provider: String, model: String, at: String) throws -> Int64? {
            // The row's figures and digest are built only for a price not seen yet.
            let key = PriceKey(provider: provider, model: model, pricing: pricing)
            if let id = priceIDs[key] { return id }
            let figures = pricing.ledgerFigures
            var values: [(any DatabaseValueConvertible)?] = [provider, model, ModelPricing.ledgerDigest(figures)]
            values += figures.map { $0 }
            values.append(at)
            let arguments = StatementArguments(values)
            let id = try Int64.fetchOne(try self(.price), arguments: arguments)
            priceIDs[key] = id
            return id
        }
    }

    private static func record(_ event: RouterEvent, with statement: inout Statements) throws {
        switch event {
        case .requestReceived(let event):
            try statement(.request).execute(arguments: [
                event.requestID, event.userID, event.route, event.requestedModel, event.priority?.rawValue,
                event.classification.rawValue, event.stream, LedgerTimestamp.string(from: event.at), event.keyID,
                event.team,
            ])
        case .attemptStarted(let event):
            try statement(.startedAttempt).execute(arguments: [
                event.requestID, event.seq, event.tier, event.provider, event.model, event.isEscalation,
                LedgerTimestamp.string(from: event.at),
            ])
        case .attemptFinished(let event):
            let startedAt = LedgerTimestamp.string(from: event.startedAt)
            let priceID = try event.pricing.flatMap {
                try statement.priceID($0, provider: event.provider, model: event.model, at: startedAt)
            }
            let usage = event.usage
            try statement(.finishedAttempt).execute(arguments: [
                event.requestID, event.seq, event.tier, event.provider, event.model, event.isEscalation,
                event.outcome.rawValue, event.httpStatus, event.errorCode, event.errorMessage,
                usage?.promptTokens, usage?.completionTokens, usage?.isEstimated ?? false,
                event.cost.rawValue, event.latency.roundedMilliseconds, startedAt, usage?.cachedPromptTokens,
                usage?.cacheWriteTokens, usage?.cacheWrite1hTokens, usage?.reasoningTokens, priceID,
            ])
        case .breakerTransition(let event):
            try statement(.breaker).execute(arguments: [
                event.provider, event.from.rawValue, event.to.rawValue, event.reason,
                LedgerTimestamp.string(from: event.at), event.openUntil.map(LedgerTimestamp.string(from:)),
            ])
        case .escalated(let event):
            try statement(.requestEvent).execute(arguments: [
                event.requestID, "escalated", nil, event.fromProvider, event.fromModel, event.toProvider,
                event.toModel, nil, nil, LedgerTimestamp.string(from: event.at),
            ])
        case .targetSkipped(let event):
            try statement(.requestEvent).execute(arguments: [
                event.requestID, "target_skipped", event.tier, event.provider, event.model, nil, nil,
                event.reason.rawValue, nil, LedgerTimestamp.string(from: event.at),
            ])
        case .queued(let event):
            try statement(.requestEvent).execute(arguments: [
                event.requestID, "queued", nil, nil, nil, nil, nil, nil, event.queueLength,
                LedgerTimestamp.string(from: event.at),
            ])
        case .downgraded(let event):
            try statement(.requestEvent).execute(arguments: [
                event.requestID, "downgraded", event.tier, nil, nil, nil, nil, event.reason.rawValue, nil,
                LedgerTimestamp.string(from: event.at),
            ])
        case .requestFinished(let event):
            let createdAt = event.at.addingTimeInterval(-event.latency.inSeconds)
            try statement(.finishedRequest).execute(arguments: [
                event.requestID, event.userID, event.status.rawValue, event.provider, event.model,
                event.usage.promptTokens, event.usage.completionTokens, event.usage.isEstimated, event.cost.rawValue,
                event.latency.roundedMilliseconds, event.errorCode, event.attempts, event.escalated,
                LedgerTimestamp.string(from: createdAt), LedgerTimestamp.string(from: event.at),
            ])
        }
    }

    private static let insertRequest = """
        INSERT INTO requests
            (id, user_id, route, requested_model, priority, classification, stream, created_at, key_id, team)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (id) DO UPDATE SET
            user_id = excluded.user_id, route = excluded.route, requested_model = excluded.requested_model,
            priority = excluded.priority, classification = excluded.classification, stream = excluded.stream,
            created_at = excluded.created_at, key_id = excluded.key_id, team = excluded.team
        """

    private static let insertStartedAttempt = """
        INSERT INTO attempts (request_id, seq, tier, provider, model, is_escalation, outcome, started_at)
        VALUES (?, ?, ?, ?, ?, ?, 'started', ?)
        ON CONFLICT (request_id, seq) DO NOTHING
        """

    private static let upsertFinishedAttempt = """
        INSERT INTO attempts (
            request_id, seq, tier, provider, model, is_escalation, outcome, http_status, error_code, error,
            prompt_tokens, completion_tokens, tokens_estimated, cost_usd_micros, latency_ms, started_at,
            cached_prompt_tokens, cache_write_tokens, cache_write_1h_tokens, reasoning_tokens, price_id)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (request_id, seq) DO UPDATE SET
            tier = excluded.tier, provider = excluded.provider, model = excluded.model,
            is_escalation = excluded.is_escalation, outcome = excluded.outcome, http_status = excluded.http_status,
            error_code = excluded.error_code, error = excluded.error, prompt_tokens = excluded.prompt_tokens,
            completion_tokens = excluded.completion_tokens, tokens_estimated = excluded.tokens_estimated,
            cost_usd_micros = excluded.cost_usd_micros, latency_ms = excluded.latency_ms,
            started_at = excluded.started_at, cached_prompt_tokens = excluded.cached_prompt_tokens,
            cache_write_tokens = excluded.cache_write_tokens, cache_write_1h_tokens = excluded.cache_write_1h_tokens,
            reasoning_tokens = excluded.reasoning_tokens, price_id = excluded.price_id
        """

    private static let upsertPrice = """
        INSERT INTO prices (
            provider, model, digest, input_usd_micros_per_mtok, output_usd_micros_per_mtok,
            cached_input_usd_micros_per_mtok, cache_write_usd_micros_per_mtok, cache_write_1h_usd_micros_per_mtok,
            reasoning_usd_micros_per_mtok, long_context_above_tokens, long_context_input_usd_micros_per_mtok,
            long_context_output_usd_micros_per_mtok, long_context_cached_input_usd_micros_per_mtok,
            long_context_cache_write_usd_micros_per_mtok, long_context_cache_write_1h_usd_micros_per_mtok,
            long_context_reasoning_usd_micros_per_mtok, first_used_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (provider, model, digest) DO UPDATE SET digest = excluded.digest
        RETURNING id
        """

    private static let insertBreakerTransition = """
        INSERT INTO breaker_transitions (provider, from_state, to_state, reason, at, open_until)
        VALUES (?, ?, ?, ?, ?, ?)
        """

    private static let insertRequestEvent = """
        INSERT INTO request_events (
            request_id, kind, tier, provider, model, to_provider, to_model, reason, queue_length, at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """

    private static let upsertFinishedRequest = """
        INSERT INTO requests (
            id, user_id, status, provider, model, prompt_tokens, completion_tokens, tokens_estimated,
            cost_usd_micros, latency_ms, error_code, attempt_count, escalated, created_at, finished_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (id) DO UPDATE SET
            status = excluded.status, provider = excluded.provider, model = excluded.model,
            prompt_tokens = excluded.prompt_tokens, completion_tokens = excluded.completion_tokens,
            tokens_estimated = excluded.tokens_estimated, cost_usd_micros = excluded.cost_usd_micros,
            latency_ms = excluded.latency_ms, error_code = excluded.error_code,
            attempt_count = excluded.attempt_count, escalated = excluded.escalated,
            finished_at = excluded.finished_at
        """
}
