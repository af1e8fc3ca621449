/// Money set aside for one request, against every scope it falls under.
public struct BudgetReservation: Sendable, Hashable {
    /// Whom the money is reserved from.
    public var subject: BudgetSubject
    public var requestID: String
    /// The total reserved, extensions included.
    public var amount: MicroDollars
    /// The tightest limit right after this reservation (its amount counted as reserved): what the answer reports.
    /// `nil` when no limit applies.
    public var tightest: BudgetStatus?

    public var userID: String { subject.userID }

    public init(subject: BudgetSubject, requestID: String, amount: MicroDollars, tightest: BudgetStatus? = nil) {
        self.subject = subject
        self.requestID = requestID
        self.amount = amount
        self.tightest = tightest
    }

    public init(userID: String, requestID: String, amount: MicroDollars) {
        self.init(subject: BudgetSubject(userID: userID), requestID: requestID, amount: amount)
    }

    /// Reservations are equal when they hold the same amount for the same request of the same scopes, whatever
    /// ``tightest`` reported.
    public static func == (lhs: BudgetReservation, rhs: BudgetReservation) -> Bool {
        lhs.subject == rhs.subject && lhs.requestID == rhs.requestID && lhs.amount == rhs.amount
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(subject)
        hasher.combine(requestID)
        hasher.combine(amount)
    }

    /// The tightest limit once the request is settled at `actualCost`: what was reserved for it goes back and the
    /// cost is spent (other requests' movements since the reservation are not seen).
    public func tightestAfterSettling(at actualCost: MicroDollars) -> BudgetStatus? {
        guard var status = tightest else { return nil }
        // MicroDollars arithmetic saturates.
        status.reserved = max(.zero, status.reserved - amount)
        status.spent = status.spent + actualCost
        return status
    }
}
