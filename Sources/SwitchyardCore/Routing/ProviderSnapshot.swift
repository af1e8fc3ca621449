/// One provider as the router sees it now: for `GET /providers`, the CLI and health decisions.
public struct ProviderSnapshot: Sendable, Hashable {
    public var profile: ProviderProfile
    /// The breaker state now (an open breaker whose timeout passed reads as half-open).
    public var breakerState: BreakerState
    /// Drained by an operator.
    public var isForcedDown: Bool
    /// The health prober's last verdict.
    public var isHealthy: Bool
    public var inFlight: Int
    public var stats: ProviderStats

    init(
        profile: ProviderProfile, breakerState: BreakerState, isForcedDown: Bool, isHealthy: Bool, inFlight: Int,
        stats: ProviderStats
    ) {
        self.profile = profile
        self.breakerState = breakerState
        self.isForcedDown = isForcedDown
        self.isHealthy = isHealthy
        self.inFlight = inFlight
        self.stats = stats
    }

    /// Not taking calls: drained, unhealthy or with an open breaker.
    public var isDown: Bool { isForcedDown || !isHealthy || breakerState == .open }

    public var name: String { profile.name }
}
