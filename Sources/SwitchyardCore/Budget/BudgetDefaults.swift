public import struct Foundation.TimeZone

/// The limits every user, key and team has unless an administrator set one (`budget set`), and the time zone of
/// calendar windows.
public struct BudgetDefaults: Sendable, Hashable {
    /// The limits by scope and period. A scope or period absent here has no default limit. Default: users $1.00
    /// over their lifetime, nothing else.
    public var limits: [BudgetScope: [BudgetPeriod: MicroDollars]]
    /// Where daily, weekly and monthly windows start and end. Default UTC.
    public var timeZone: TimeZone

    /// Every user's lifetime limit unless configured: $1.00.
    public static let userLifetimeLimit: MicroDollars = 1_000_000

    public init(
        limits: [BudgetScope: [BudgetPeriod: MicroDollars]] = [.user: [.lifetime: userLifetimeLimit]],
        timeZone: TimeZone = TimeZone(identifier: "UTC")!
    ) {
        self.limits = limits
        self.timeZone = timeZone
    }

    /// Users' lifetime limit ($1.00 unless given) and nothing else.
    public init(userLifetimeLimit: MicroDollars) {
        self.init(limits: [.user: [.lifetime: userLifetimeLimit]])
    }

    /// The default limit of `scope` over `period`, if any.
    public func limit(_ scope: BudgetScope, _ period: BudgetPeriod) -> MicroDollars? {
        limits[scope]?[period]
    }
}
