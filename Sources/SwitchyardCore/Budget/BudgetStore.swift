/// Per-user spending limits, enforced by reserving a request's upper-bound cost before any provider is called.
///
/// The router calls ``reserve(userID:requestID:amount:)`` before the first attempt and
/// ``settle(_:actualCost:)`` exactly once afterwards (with zero when nothing was spent), so the reserved amount is
/// released or turned into spend. Implementations must make the check and the reservation one atomic step.
public protocol BudgetStore: Sendable {
    /// Reserves `amount` for a request.
    ///
    /// - Throws: ``BudgetExceededError`` when `spent + reserved + amount` would pass the user's limit.
    func reserve(userID: String, requestID: String, amount: MicroDollars) async throws -> BudgetReservation

    /// Reserves `amount` more for a request that already holds `reservation`, atomically with the limit check
    /// (the router does this before a failover whose worst case no longer fits what is reserved).
    ///
    /// - Returns: the reservation with its new total ``BudgetReservation/amount``.
    /// - Throws: ``BudgetExceededError`` when the extra amount would pass the user's limit (the reservation is
    ///   then unchanged).
    func extend(_ reservation: BudgetReservation, by amount: MicroDollars) async throws -> BudgetReservation

    /// Turns a reservation (its total, extensions included) into the actual spend and releases the rest.
    ///
    /// Implementations that store money must not lose a settlement to a passing fault: they retry, and whatever
    /// stays unsettled is resolved by their documented crash rule.
    func settle(_ reservation: BudgetReservation, actualCost: MicroDollars) async throws

    /// The user's current figures.
    func status(userID: String) async throws -> BudgetStatus
}

/// Money set aside for one request.
public struct BudgetReservation: Sendable, Hashable {
    public var userID: String
    public var requestID: String
    public var amount: MicroDollars

    public init(userID: String, requestID: String, amount: MicroDollars) {
        self.userID = userID
        self.requestID = requestID
        self.amount = amount
    }
}

/// A user's limit and what is spent and reserved against it.
public struct BudgetStatus: Sendable, Hashable, Codable {
    public var userID: String
    public var limit: MicroDollars
    public var spent: MicroDollars
    public var reserved: MicroDollars

    /// What can still be reserved (never negative).
    public var remaining: MicroDollars { max(.zero, limit - spent - reserved) }

    public init(userID: String, limit: MicroDollars, spent: MicroDollars, reserved: MicroDollars) {
        self.userID = userID
        self.limit = limit
        self.spent = spent
        self.reserved = reserved
    }
}

/// A reservation was refused: the request would take the user past their limit.
public struct BudgetExceededError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The figures at the moment of refusal.
    public var status: BudgetStatus
    /// The amount the request needed to reserve.
    public var requested: MicroDollars

    public init(status: BudgetStatus, requested: MicroDollars) {
        self.status = status
        self.requested = requested
    }

    public var description: String {
        "budget exceeded for user '\(status.userID)': limit \(status.limit), spent \(status.spent), "
            + "reserved \(status.reserved), remaining \(status.remaining), this request needs up to \(requested)"
    }
}
