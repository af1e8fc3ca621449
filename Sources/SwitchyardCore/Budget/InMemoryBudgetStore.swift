import Synchronization

public import struct Foundation.Date

/// Budgets kept in memory, for tests and ledger-less runs: every scope and period of ``BudgetDefaults`` and of
/// ``setLimit(_:for:_:period:)``, checked and reserved atomically under a lock.
public final class InMemoryBudgetStore: BudgetStore {
    private struct Scope: Hashable {
        var scope: BudgetScope
        var id: String
    }

    private struct State {
        var limits: [Scope: [BudgetPeriod: MicroDollars]] = [:]
        var reserved: [Scope: MicroDollars] = [:]
        /// Settlements by scope, with when they happened, so any window can be summed.
        var spent: [Scope: [(at: Date, amount: MicroDollars)]] = [:]
    }

    private let defaults: BudgetDefaults
    private let now: @Sendable () -> Date
    private let state = Mutex(State())

    /// - Parameters:
    ///   - defaults: the limits of scopes without their own; users $1.00 over their lifetime unless given.
    ///   - now: when settlements happen, for calendar windows; injectable for tests.
    public init(defaults: BudgetDefaults = BudgetDefaults(), now: @escaping @Sendable () -> Date = { Date() }) {
        self.defaults = defaults
        self.now = now
    }

    /// - Parameter defaultLimit: every user's lifetime limit.
    public convenience init(defaultLimit: MicroDollars) {
        self.init(defaults: BudgetDefaults(userLifetimeLimit: defaultLimit))
    }

    /// Sets one user's lifetime limit.
    public func setLimit(_ limit: MicroDollars, for userID: String) {
        setLimit(limit, for: .user, userID, period: .lifetime)
    }

    /// Sets the limit of one scope over one period.
    public func setLimit(_ limit: MicroDollars, for scope: BudgetScope, _ id: String, period: BudgetPeriod) {
        state.withLock { $0.limits[Scope(scope: scope, id: id), default: [:]][period] = limit }
    }

    public func reserve(_ subject: BudgetSubject, requestID: String, amount: MicroDollars) async throws
        -> BudgetReservation
    {
        let at = now()
        return try state.withLock { state in
            let tightest = try reserve(amount, for: subject, at: at, in: &state)
            return BudgetReservation(subject: subject, requestID: requestID, amount: amount, tightest: tightest)
        }
    }

    public func extend(_ reservation: BudgetReservation, by amount: MicroDollars) async throws -> BudgetReservation {
        let at = now()
        return try state.withLock { state in
            var extended = reservation
            extended.tightest = try reserve(amount, for: reservation.subject, at: at, in: &state)
            extended.amount += amount
            return extended
        }
    }

    public func settle(_ reservation: BudgetReservation, actualCost: MicroDollars) async throws {
        let at = now()
        state.withLock { state in
            for (scope, id) in reservation.subject.scopes {
                let key = Scope(scope: scope, id: id)
                state.reserved[key, default: .zero] -= reservation.amount
                state.spent[key, default: []].append((at, actualCost))
            }
        }
    }

    public func statuses(of subject: BudgetSubject) async throws -> [BudgetStatus] {
        let at = now()
        return state.withLock { state in statuses(of: subject, at: at, in: state) }
    }

    private func reserve(_ amount: MicroDollars, for subject: BudgetSubject, at: Date, in state: inout State) throws
        -> BudgetStatus?
    {
        let statuses = statuses(of: subject, at: at, in: state)
        if let refusing = statuses.first(where: { !$0.fits(amount) }) {
            throw BudgetExceededError(status: refusing, requested: amount)
        }
        for (scope, id) in subject.scopes { state.reserved[Scope(scope: scope, id: id), default: .zero] += amount }
        return BudgetStatus.tightest(statuses.map { status in
            var status = status
            status.reserved += amount
            return status
        })
    }

    private func statuses(of subject: BudgetSubject, at: Date, in state: State) -> [BudgetStatus] {
        subject.scopes.flatMap { scope, id -> [BudgetStatus] in
            let key = Scope(scope: scope, id: id)
            let own = state.limits[key] ?? [:]
            return BudgetPeriod.allCases.compactMap { period -> BudgetStatus? in
                guard let limit = own[period] ?? defaults.limit(scope, period) else { return nil }
                let window = period.window(containing: at, in: defaults.timeZone)
                let spent = (state.spent[key] ?? []).reduce(MicroDollars.zero) { total, entry in
                    guard let window else { return total + entry.amount }
                    return window.start <= entry.at && entry.at < window.end ? total + entry.amount : total
                }
                return BudgetStatus(
                    scope: scope, scopeID: id, period: period, limit: limit, spent: spent,
                    reserved: state.reserved[key] ?? .zero, window: window)
            }
        }
    }
}
