import SwitchyardStore
import Synchronization

/// Keeps `/routing/analytics`' ledger totals for a second, so that polling the endpoint does not scan the
/// ledger's tables on every call. Concurrent callers after expiry may compute it more than once; never more often
/// than they call.
final class AnalyticsCache: Sendable {
    /// How long computed totals are served. One second.
    static let lifetime = Duration.seconds(1)

    private let cached = Mutex<(at: ContinuousClock.Instant, totals: LedgerTotals)?>(nil)

    /// The cached totals, or `compute()`'s when they are older than ``lifetime``.
    func totals(_ compute: @Sendable () async throws -> LedgerTotals) async throws -> LedgerTotals {
        let now = ContinuousClock.now
        if let hit = cached.withLock({ $0 }), hit.at.duration(to: now) < Self.lifetime { return hit.totals }
        let totals = try await compute()
        cached.withLock { $0 = (now, totals) }
        return totals
    }
}
