extension LedgerReader {
    /// The breaker timeline `request` asks for, from this reader's snapshot (see ``BreakerTimeline``).
    func breakerTimeline(_ request: BreakerTimeline.Request) async throws -> BreakerTimeline {
        let (since, until) = request.range.ledgerBounds
        var providers: [String: BreakerTimeline.Provider] = [:]
        // The state each provider was left in before the range: its last transition before it.
        try await forEachRow(
            """
            SELECT provider, to_state FROM breaker_transitions
            WHERE id IN (SELECT max(id) FROM breaker_transitions WHERE at < ? GROUP BY provider)
            """, [.text(since)]
        ) { row in
            let provider = try row.text(0)
            providers[provider] = .init(provider: provider, stateAtSince: try row.text(1), transitions: [])
        }
        var count = 0
        var truncated = false
        try await forEachRow(
            """
            SELECT provider, from_state, to_state, reason, at, open_until FROM breaker_transitions
            WHERE at >= ? AND at < ? ORDER BY at, id LIMIT ?
            """, [.text(since), .text(until), .integer(Int64(request.limit) + 1)]
        ) { row in
            count += 1
            guard count <= request.limit else {
                truncated = true
                return
            }
            let provider = try row.text(0)
            providers[provider, default: .init(provider: provider, stateAtSince: "closed", transitions: [])]
                .transitions.append(
                    .init(
                        at: LedgerTimestamp.iso8601(fromLedger: try row.text(4)), from: try row.text(1),
                        to: try row.text(2), reason: try row.text(3),
                        openUntil: try row.optionalText(5).map(LedgerTimestamp.iso8601(fromLedger:))))
        }
        return BreakerTimeline(
            range: request.range,
            providers: providers.values.sorted { LedgerOrder.precedes($0.provider, $1.provider) },
            truncated: truncated)
    }
}
