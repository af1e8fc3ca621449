public import struct Foundation.Date

/// One limit of one scope, and what is spent and reserved against it.
///
/// For a calendar period, ``spent`` is what was settled (or adjusted) inside ``window``; ``reserved`` is every open
/// reservation of the scope, whenever it was made, since it may settle in this window.
public struct BudgetStatus: Sendable, Hashable, Codable {
    public var scope: BudgetScope
    /// The user id, key id or team name.
    public var scopeID: String
    public var period: BudgetPeriod
    public var limit: MicroDollars
    public var spent: MicroDollars
    public var reserved: MicroDollars
    /// The calendar window the figures are for; `nil` for ``BudgetPeriod/lifetime``.
    public var window: BudgetWindow?

    /// The limit of a scope's lifetime figures when it has no lifetime limit: they are shown (what a key spent),
    /// never enforced or reported as the tightest.
    public static let unlimited = MicroDollars(.max)

    /// Whether this is the lifetime figures of a scope without a lifetime limit (see ``unlimited``).
    public var isUnlimited: Bool { limit == Self.unlimited }

    /// What can still be reserved (never negative, never trapping).
    public var remaining: MicroDollars {
        let (committed, overflow) = spent.rawValue.addingReportingOverflow(reserved.rawValue)
        guard !overflow else { return .zero }
        let (left, underflow) = limit.rawValue.subtractingReportingOverflow(committed)
        return underflow || left < 0 ? .zero : MicroDollars(left)
    }

    /// Whether more of its limit is used (spent and reserved) than of `other`'s, compared exactly: nothing used is
    /// the least, anything used of a zero limit the most.
    public func usesMore(ofItsLimitThan other: BudgetStatus) -> Bool {
        func used(_ status: BudgetStatus) -> Int64 { (status.spent + status.reserved).rawValue }
        // 0: nothing used; 1: a share of a limit; 2: something used of a zero limit.
        func rank(_ status: BudgetStatus) -> Int { used(status) <= 0 ? 0 : status.limit.rawValue <= 0 ? 2 : 1 }
        let (mine, theirs) = (rank(self), rank(other))
        guard mine == 1, theirs == 1 else { return mine > theirs }
        // used / limit > otherUsed / otherLimit, without dividing or overflowing: both limits are positive.
        let left = used(self).multipliedFullWidth(by: other.limit.rawValue)
        let right = used(other).multipliedFullWidth(by: limit.rawValue)
        return (left.high, left.low) > (right.high, right.low)
    }

    /// When the limit starts again (the end of ``window``); `nil` for a lifetime limit.
    public var resetsAt: Date? { window?.end }

    /// Whether `spent + reserved + amount <= limit`, without overflowing (an overflow does not fit).
    public func fits(_ amount: MicroDollars) -> Bool {
        let (committed, overflow) = spent.rawValue.addingReportingOverflow(reserved.rawValue)
        let (total, overflow2) = committed.addingReportingOverflow(amount.rawValue)
        return !overflow && !overflow2 && total <= limit.rawValue
    }

    public init(
        scope: BudgetScope, scopeID: String, period: BudgetPeriod, limit: MicroDollars, spent: MicroDollars,
        reserved: MicroDollars, window: BudgetWindow? = nil
    ) {
        self.scope = scope
        self.scopeID = scopeID
        self.period = period
        self.limit = limit
        self.spent = spent
        self.reserved = reserved
        self.window = window
    }

    /// A user's lifetime limit.
    public init(userID: String, limit: MicroDollars, spent: MicroDollars, reserved: MicroDollars) {
        self.init(scope: .user, scopeID: userID, period: .lifetime, limit: limit, spent: spent, reserved: reserved)
    }

    /// The status with the least ``remaining`` (ties: the first), the one a client is shown.
    public static func tightest(_ statuses: [BudgetStatus]) -> BudgetStatus? {
        statuses.min { $0.remaining < $1.remaining }
    }

    /// Words for people: `user 'alice' (daily)`.
    public var scopeDescription: String {
        "\(scope.rawValue) '\(scopeID)'" + (period == .lifetime ? "" : " (\(period.rawValue))")
    }
}

extension [BudgetStatus] {
    /// The `count` limits whose share used (spent and reserved) is the largest, largest first
    /// (``BudgetStatus/usesMore(ofItsLimitThan:)``); the lifetime figures of scopes without a lifetime limit are left
    /// out, and ties keep this list's order.
    public func mostUsed(_ count: Int) -> [BudgetStatus] {
        let limited = enumerated().filter { !$0.element.isUnlimited }
        let ordered = limited.sorted { lhs, rhs in
            if lhs.element.usesMore(ofItsLimitThan: rhs.element) { return true }
            if rhs.element.usesMore(ofItsLimitThan: lhs.element) { return false }
            return lhs.offset < rhs.offset
        }
        return ordered.prefix(Swift.max(count, 0)).map(\.element)
    }
}
