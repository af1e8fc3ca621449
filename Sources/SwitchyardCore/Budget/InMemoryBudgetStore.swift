import Synchronization

/// Budgets kept in memory, for tests and ledger-less runs. Reserve-then-settle is atomic under a lock.
public final class InMemoryBudgetStore: BudgetStore {
    private struct State {
        var limits: [String: MicroDollars] = [:]
        var spent: [String: MicroDollars] = [:]
        var reserved: [String: MicroDollars] = [:]
    }

    private let defaultLimit: MicroDollars
    private let state = Mutex(State())

    /// - Parameter defaultLimit: the limit of a user with no override; $1.00 unless given.
    public init(defaultLimit: MicroDollars = 1_000_000) {
        self.defaultLimit = defaultLimit
    }

    /// Sets one user's limit.
    public func setLimit(_ limit: MicroDollars, for userID: String) {
        state.withLock { $0.limits[userID] = limit }
    }

    public func reserve(userID: String, requestID: String, amount: MicroDollars) async throws -> BudgetReservation {
        try state.withLock { state in
            let status = Self.status(of: userID, in: state, defaultLimit: defaultLimit)
            guard status.spent + status.reserved + amount <= status.limit else {
                throw BudgetExceededError(status: status, requested: amount)
            }
            state.reserved[userID, default: .zero] += amount
            return BudgetReservation(userID: userID, requestID: requestID, amount: amount)
        }
    }

    public func extend(_ reservation: BudgetReservation, by amount: MicroDollars) async throws -> BudgetReservation {
        try state.withLock { state in
            let status = Self.status(of: reservation.userID, in: state, defaultLimit: defaultLimit)
            guard status.spent + status.reserved + amount <= status.limit else {
                throw BudgetExceededError(status: status, requested: amount)
            }
            state.reserved[reservation.userID, default: .zero] += amount
            var extended = reservation
            extended.amount += amount
            return extended
        }
    }

    public func settle(_ reservation: BudgetReservation, actualCost: MicroDollars) async throws {
        state.withLock { state in
            state.reserved[reservation.userID, default: .zero] -= reservation.amount
            state.spent[reservation.userID, default: .zero] += actualCost
        }
    }

    public func status(userID: String) async throws -> BudgetStatus {
        state.withLock { Self.status(of: userID, in: $0, defaultLimit: defaultLimit) }
    }

    private static func status(of userID: String, in state: State, defaultLimit: MicroDollars) -> BudgetStatus {
        BudgetStatus(
            userID: userID,
            limit: state.limits[userID] ?? defaultLimit,
            spent: state.spent[userID] ?? .zero,
            reserved: state.reserved[userID] ?? .zero)
    }
}
