import SwitchyardCore

extension LedgerReader {
    /// The requests `request` lists, newest first, from this reader's snapshot (see ``RecentRequests``).
    func recentRequests(_ request: RecentRequests.Request) async throws -> RecentRequests {
        let (since, until) = request.range.ledgerBounds
        var conditions = "created_at >= ? AND created_at < ?"
        var arguments: [SQLValue] = [.text(since), .text(until)]
        if let user = request.user {
            conditions += " AND user_id = ?"
            arguments.append(.text(user))
        }
        if let status = request.status {
            conditions += " AND status = ?"
            arguments.append(.text(status))
        }
        let records = try await requestRecords(
            "WHERE \(conditions) ORDER BY created_at DESC, id DESC LIMIT ?",
            arguments + [.integer(Int64(request.limit))])
        return RecentRequests(range: request.range, limit: request.limit, requests: records)
    }

    /// Request `id`'s trail, or `nil` when the ledger has no such request (see ``RequestTrail``).
    func requestTrail(id: String) async throws -> RequestTrail? {
        guard let record = try await requestRecords("WHERE id = ?", [.text(id)]).first else { return nil }
        var events: [RequestTrail.Event] = []
        try await forEachRow(
            """
            SELECT kind, tier, provider, model, to_provider, to_model, reason, queue_length, at FROM request_events
            WHERE request_id = ? ORDER BY at, id
            """, [.text(id)]
        ) { row in
            events.append(
                .init(
                    kind: try row.text(0), tier: try row.optionalText(1), provider: try row.optionalText(2),
                    model: try row.optionalText(3), toProvider: try row.optionalText(4),
                    toModel: try row.optionalText(5), reason: try row.optionalText(6),
                    queueLength: try row.optionalInt(7), at: LedgerTimestamp.iso8601(fromLedger: try row.text(8))))
        }
        var money: [RequestTrail.Movement] = []
        try await forEachRow(
            "SELECT kind, amount_usd_micros, note, at FROM ledger WHERE request_id = ? ORDER BY at, id", [.text(id)]
        ) { row in
            money.append(
                .init(
                    kind: try row.text(0), amount: MicroDollars(try row.integer(1)), note: try row.optionalText(2),
                    at: LedgerTimestamp.iso8601(fromLedger: try row.text(3))))
        }
        return RequestTrail(request: record, events: events, money: money)
    }

    /// The requests `clause` (a `WHERE` and what follows it, over `requests`) selects, in its order, each with its
    /// calls in order.
    private func requestRecords(_ clause: String, _ arguments: [SQLValue]) async throws -> [RequestRecord] {
        var records: [RequestRecord] = []
        try await forEachRow(
            """
            SELECT id, user_id, key_id, team, route, requested_model, status, provider, model, prompt_tokens,
                   completion_tokens, cost_usd_micros, latency_ms, error_code, escalated, created_at, finished_at
            FROM requests \(clause)
            """, arguments
        ) { row in
            records.append(
                RequestRecord(
                    id: try row.text(0), user: try row.text(1), key: try row.optionalText(2),
                    team: try row.optionalText(3), route: try row.optionalText(4),
                    requestedModel: try row.optionalText(5), status: try row.text(6),
                    provider: try row.optionalText(7), model: try row.optionalText(8),
                    promptTokens: try row.optionalInt(9), completionTokens: try row.optionalInt(10),
                    cost: MicroDollars(try row.integer(11)), latencyMs: try row.optionalInt(12),
                    errorCode: try row.optionalText(13), escalated: try row.int(14) != 0,
                    createdAt: LedgerTimestamp.iso8601(fromLedger: try row.text(15)),
                    finishedAt: try row.optionalText(16).map(LedgerTimestamp.iso8601(fromLedger:))))
        }
        guard !records.isEmpty else { return [] }
        var attempts: [String: [RequestRecord.Attempt]] = [:]
        let placeholders = Array(repeating: "?", count: records.count).joined(separator: ", ")
        try await forEachRow(
            """
            SELECT request_id, seq, tier, provider, model, is_escalation, outcome, http_status, error_code, error,
                   prompt_tokens, completion_tokens, cost_usd_micros, latency_ms, started_at
            FROM attempts WHERE request_id IN (\(placeholders)) ORDER BY request_id, seq
            """, records.map { .text($0.id) }
        ) { row in
            attempts[try row.text(0), default: []].append(
                .init(
                    seq: try row.int(1), tier: try row.optionalText(2), provider: try row.text(3),
                    model: try row.text(4), isEscalation: try row.int(5) != 0, outcome: try row.text(6),
                    httpStatus: try row.optionalInt(7), errorCode: try row.optionalText(8),
                    error: try row.optionalText(9), promptTokens: try row.optionalInt(10),
                    completionTokens: try row.optionalInt(11), cost: MicroDollars(try row.integer(12)),
                    latencyMs: try row.optionalInt(13), startedAt: LedgerTimestamp.iso8601(fromLedger: try row.text(14))))
        }
        for index in records.indices { records[index].attempts = attempts[records[index].id] ?? [] }
        return records
    }
}
