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
        var events: [RouterEvent] = []
        events.reserveCapacity(writes.count)
        for write in writes {
            switch write {
            case .event(let event):
                events.append(event)
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
        let known = committedPriceIDs.withLock { $0 }
        let learned = try await ledger.transaction { connection in
            var priceIDs = known
            for statement in try await statements(for: events, on: connection, priceIDs: &priceIDs) {
                try await connection.query(statement, logger: ledger.logger)
            }
            return priceIDs
        }
        if learned.count != known.count { committedPriceIDs.withLock { $0 = learned } }
        return results
    }

    /// A batch's events as a few multi-row statements, one kind of row each.
    ///
    /// Grouping by kind reorders events of different kinds, which is safe because every statement is written to be
    /// tolerant of out-of-order arrival: a request's or attempt's columns are set by one kind of event each, an
    /// attempt's start never overwrites its end, and the appended rows (request events, breaker transitions) keep
    /// their order among themselves. Within a kind, a key seen twice keeps its last event (a replay), since one
    /// statement may not update a row twice.
    private func statements(
        for events: [RouterEvent], on connection: PostgresConnection, priceIDs: inout [PriceKey: Int64]
    ) async throws -> [PostgresQuery] {
        var received = LastByKey<String, RequestReceived>()
        var started = LastByKey<AttemptKey, AttemptStarted>()
        var finished = LastByKey<AttemptKey, AttemptFinished>()
        var requestsFinished = LastByKey<String, RequestFinished>()
        var requestEvents = PostgresMultiRowInsert(
            "INSERT INTO request_events (request_id, kind, tier, provider, model, to_provider, to_model, reason, "
                + "queue_length, at)", columns: 10)
        var transitions = PostgresMultiRowInsert(
            "INSERT INTO breaker_transitions (provider, from_state, to_state, reason, at, open_until, instance_id)",
            columns: 7)
        for event in events {
            switch event {
            case .requestReceived(let event): received[event.requestID] = event
            case .attemptStarted(let event): started[AttemptKey(event.requestID, event.seq)] = event
            case .attemptFinished(let event): finished[AttemptKey(event.requestID, event.seq)] = event
            case .requestFinished(let event): requestsFinished[event.requestID] = event
            case .breakerTransition(let event):
                transitions.row { binds in
                    binds.append(event.provider)
                    binds.append(event.from.rawValue)
                    binds.append(event.to.rawValue)
                    binds.append(event.reason)
                    binds.append(time(event.at))
                    binds.append(event.openUntil.map(time))
                    binds.append(instanceID)
                }
            case .escalated(let event):
                requestEvents.row(
                    event.requestID, "escalated", provider: event.fromProvider, model: event.fromModel,
                    toProvider: event.toProvider, toModel: event.toModel, at: event.at)
            case .targetSkipped(let event):
                requestEvents.row(
                    event.requestID, "target_skipped", tier: event.tier, provider: event.provider,
                    model: event.model, reason: event.reason.rawValue, at: event.at)
            case .queued(let event):
                requestEvents.row(event.requestID, "queued", queueLength: event.queueLength, at: event.at)
            case .downgraded(let event):
                requestEvents.row(
                    event.requestID, "downgraded", tier: event.tier, reason: event.reason.rawValue, at: event.at)
            }
        }

        var statements: [PostgresQuery] = []
        if !received.isEmpty {
            var insert = PostgresMultiRowInsert(
                "INSERT INTO requests (id, user_id, route, requested_model, priority, classification, stream, "
                    + "created_at, key_id, team)", columns: 10,
                tail: """
                    ON CONFLICT (id) DO UPDATE SET
                        user_id = excluded.user_id, route = excluded.route, requested_model = excluded.requested_model,
                        priority = excluded.priority, classification = excluded.classification,
                        stream = excluded.stream, created_at = excluded.created_at, key_id = excluded.key_id,
                        team = excluded.team
                    """)
            for event in received.values {
                insert.row { binds in
                    binds.append(event.requestID)
                    binds.append(event.userID)
                    binds.append(event.route)
                    binds.append(event.requestedModel)
                    binds.append(event.priority?.rawValue)
                    binds.append(event.classification.rawValue)
                    binds.append(flag(event.stream))
                    binds.append(time(event.at))
                    binds.append(event.keyID)
                    binds.append(event.team)
                }
            }
            statements += insert.finish()
        }
        if !started.isEmpty {
            var insert = PostgresMultiRowInsert(
                "INSERT INTO attempts (request_id, seq, tier, provider, model, is_escalation, outcome, started_at)",
                columns: 8, tail: "ON CONFLICT (request_id, seq) DO NOTHING")
            for event in started.values {
                insert.row { binds in
                    binds.append(event.requestID)
                    binds.append(event.seq)
                    binds.append(event.tier)
                    binds.append(event.provider)
                    binds.append(event.model)
                    binds.append(flag(event.isEscalation))
                    binds.append("started")
                    binds.append(time(event.at))
                }
            }
            statements += insert.finish()
        }
        if !finished.isEmpty {
            var insert = PostgresMultiRowInsert(
                """
                INSERT INTO attempts (
                    request_id, seq, tier, provider, model, is_escalation, outcome, http_status, error_code, error,
                    prompt_tokens, completion_tokens, tokens_estimated, cost_usd_micros, latency_ms, started_at,
                    cached_prompt_tokens, cache_write_tokens, cache_write_1h_tokens, reasoning_tokens, price_id)
                """, columns: 21,
                tail: """
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
            for event in finished.values {
                let startedAt = time(event.startedAt)
                var priceID: Int64?
                if let pricing = event.pricing {
                    priceID = try await self.priceID(
                        pricing, provider: event.provider, model: event.model, at: startedAt, on: connection,
                        priceIDs: &priceIDs)
                }
                let usage = event.usage
                insert.row { binds in
                    binds.append(event.requestID)
                    binds.append(event.seq)
                    binds.append(event.tier)
                    binds.append(event.provider)
                    binds.append(event.model)
                    binds.append(flag(event.isEscalation))
                    binds.append(event.outcome.rawValue)
                    binds.append(event.httpStatus)
                    binds.append(event.errorCode)
                    binds.append(event.errorMessage)
                    binds.append(usage?.promptTokens)
                    binds.append(usage?.completionTokens)
                    binds.append(flag(usage?.isEstimated ?? false))
                    binds.append(event.cost.rawValue)
                    binds.append(event.latency.roundedMilliseconds)
                    binds.append(startedAt)
                    binds.append(usage?.cachedPromptTokens)
                    binds.append(usage?.cacheWriteTokens)
                    binds.append(usage?.cacheWrite1hTokens)
                    binds.append(usage?.reasoningTokens)
                    binds.append(priceID)
                }
            }
            statements += insert.finish()
        }
        if !requestsFinished.isEmpty {
            var insert = PostgresMultiRowInsert(
                """
                INSERT INTO requests (
                    id, user_id, status, provider, model, prompt_tokens, completion_tokens, tokens_estimated,
                    cost_usd_micros, latency_ms, error_code, attempt_count, escalated, created_at, finished_at)
                """, columns: 15,
                tail: """
                    ON CONFLICT (id) DO UPDATE SET
                        status = excluded.status, provider = excluded.provider, model = excluded.model,
                        prompt_tokens = excluded.prompt_tokens, completion_tokens = excluded.completion_tokens,
                        tokens_estimated = excluded.tokens_estimated, cost_usd_micros = excluded.cost_usd_micros,
                        latency_ms = excluded.latency_ms, error_code = excluded.error_code,
                        attempt_count = excluded.attempt_count, escalated = excluded.escalated,
                        finished_at = excluded.finished_at
                    """)
            for event in requestsFinished.values {
                let createdAt = event.at.addingTimeInterval(-event.latency.inSeconds)
                insert.row { binds in
                    binds.append(event.requestID)
                    binds.append(event.userID)
                    binds.append(event.status.rawValue)
                    binds.append(event.provider)
                    binds.append(event.model)
                    binds.append(event.usage.promptTokens)
                    binds.append(event.usage.completionTokens)
                    binds.append(flag(event.usage.isEstimated))
                    binds.append(event.cost.rawValue)
                    binds.append(event.latency.roundedMilliseconds)
                    binds.append(event.errorCode)
                    binds.append(event.attempts)
                    binds.append(flag(event.escalated))
                    binds.append(time(createdAt))
                    binds.append(time(event.at))
                }
            }
            statements += insert.finish()
        }
        return statements + requestEvents.finish() + transitions.finish()
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
    /// A ledger writer committing to the PostgreSQL ledger, recording `instanceID` on breaker transitions; `onCommit`
    /// is told of every transaction it tried, as by the SQLite writer.
    public convenience init(
        ledger: PostgresLedger,
        instanceID: String,
        configuration: Configuration = Configuration(),
        clock: any Clock<Duration> = ContinuousClock(),
        logger: Logger = Logger(label: "switchyard.ledger"),
        onCommit: (@Sendable (LedgerCommitReport) -> Void)? = nil
    ) {
        self.init(
            committer: PostgresEventCommitter(ledger: ledger, instanceID: instanceID), configuration: configuration,
            clock: clock, logger: logger, onCommit: onCommit)
    }
}

/// An attempt's primary key.
private struct AttemptKey: Hashable {
    var requestID: String
    var seq: Int
    init(_ requestID: String, _ seq: Int) {
        self.requestID = requestID
        self.seq = seq
    }
}

/// The last value stored under each key, in the order the keys were first seen.
private struct LastByKey<Key: Hashable, Value> {
    private var index: [Key: Int] = [:]
    private(set) var values: [Value] = []

    var isEmpty: Bool { values.isEmpty }

    subscript(key: Key) -> Value? {
        get { index[key].map { values[$0] } }
        set {
            guard let newValue else { return }
            if let position = index[key] {
                values[position] = newValue
            } else {
                index[key] = values.count
                values.append(newValue)
            }
        }
    }
}

private func time(_ date: Date) -> String { LedgerTimestamp.string(from: date) }
private func flag(_ value: Bool) -> Int { value ? 1 : 0 }

extension PostgresMultiRowInsert {
    /// A `request_events` row.
    fileprivate mutating func row(
        _ requestID: String, _ kind: String, tier: String? = nil, provider: String? = nil, model: String? = nil,
        toProvider: String? = nil, toModel: String? = nil, reason: String? = nil, queueLength: Int? = nil, at: Date
    ) {
        row { binds in
            binds.append(requestID)
            binds.append(kind)
            binds.append(tier)
            binds.append(provider)
            binds.append(model)
            binds.append(toProvider)
            binds.append(toModel)
            binds.append(reason)
            binds.append(queueLength)
            binds.append(time(at))
        }
    }
}
