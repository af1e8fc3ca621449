import PostgresNIO
public import SwitchyardCore
import SwitchyardStore

extension PostgresLedger {
    /// The latest `breaker_transitions` row of each provider, whichever instance recorded it (breakers are per
    /// instance; a new one starts from the freshest view rather than from nothing).
    public func lastBreakerTransitions() async throws -> [BreakerTransition] {
        let rows = try await rows(
            """
            SELECT provider, from_state, to_state, reason, at, open_until FROM breaker_transitions
            WHERE id IN (SELECT max(id) FROM breaker_transitions GROUP BY provider)
            ORDER BY provider
            """)
        return try rows.compactMap { row in
            let (provider, from, to, reason, at, openUntil) = try row.decode(
                (String, String, String, String, String, String?).self)
            guard let from = BreakerState(rawValue: from), let to = BreakerState(rawValue: to),
                let date = LedgerTimestamp.date(from: at)
            else { return nil }
            return BreakerTransition(
                provider: provider, from: from, to: to, reason: reason, at: date,
                openUntil: openUntil.flatMap(LedgerTimestamp.date(from:)))
        }
    }
}
