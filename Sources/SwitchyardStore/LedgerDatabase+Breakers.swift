import GRDB
public import SwitchyardCore

extension LedgerDatabase {
    /// The last recorded transition of every provider's circuit breaker, by provider name: what the router restores
    /// its breakers from at start-up (an `open` breaker stays open until its `openUntil`).
    ///
    /// "Last" is the last committed row (`breaker_transitions.id`), which is the order the router emitted them.
    public func lastBreakerTransitions() throws -> [BreakerTransition] {
        do {
            return try pool.read { db in
                try Row.fetchAll(
                    db,
                    sql: """
                        SELECT provider, from_state, to_state, reason, at, open_until FROM breaker_transitions
                        WHERE id IN (SELECT max(id) FROM breaker_transitions GROUP BY provider)
                        ORDER BY provider
                        """
                ).compactMap(Self.breakerTransition(from:))
            }
        } catch {
            throw LedgerError(.databaseError, "cannot read breaker transitions from '\(path)': \(error)")
        }
    }

    /// Decodes one `breaker_transitions` row; skips rows whose states or time this binary cannot read.
    private static func breakerTransition(from row: Row) -> BreakerTransition? {
        guard let from = BreakerState(rawValue: row[1]), let to = BreakerState(rawValue: row[2]),
            let at = LedgerTimestamp.date(from: row[4])
        else { return nil }
        let openUntil = (row[5] as String?).flatMap(LedgerTimestamp.date(from:))
        return BreakerTransition(provider: row[0], from: from, to: to, reason: row[3], at: at, openUntil: openUntil)
    }
}
