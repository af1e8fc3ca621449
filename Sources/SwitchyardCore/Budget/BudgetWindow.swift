public import struct Foundation.Date

/// One calendar window of a ``BudgetPeriod``: from ``start`` (included) to ``end`` (excluded), when the limit
/// starts again.
public struct BudgetWindow: Sendable, Hashable, Codable {
    public var start: Date
    public var end: Date

    public init(start: Date, end: Date) {
        self.start = start
        self.end = end
    }
}
