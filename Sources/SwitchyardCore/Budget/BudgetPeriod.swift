public import struct Foundation.Date
public import struct Foundation.TimeZone
import struct Foundation.Calendar
import struct Foundation.DateComponents

/// How long a limit runs before it starts again: for ever, or one calendar window in the configured time zone.
///
/// A window's spend is the sum of the ledger's `settle` and `adjust` rows whose `at` falls inside it, so nothing
/// resets and every past window stays queryable. Weeks start on Monday (ISO 8601).
public enum BudgetPeriod: String, Sendable, Hashable, Codable, CaseIterable {
    /// One limit for the scope's whole history (the default, and the only period before calendar windows).
    case lifetime
    case daily
    case weekly
    case monthly

    /// The calendar window of this period that contains `instant`, in `timeZone`; `nil` for ``lifetime``.
    public func window(containing instant: Date, in timeZone: TimeZone) -> BudgetWindow? {
        var calendar = Calendar(identifier: .iso8601)
        calendar.timeZone = timeZone
        let component: Calendar.Component
        let step: DateComponents
        switch self {
        case .lifetime: return nil
        case .daily: (component, step) = (.day, DateComponents(day: 1))
        case .weekly: (component, step) = (.weekOfYear, DateComponents(day: 7))
        case .monthly: (component, step) = (.month, DateComponents(month: 1))
        }
        guard let interval = calendar.dateInterval(of: component, for: instant),
            let end = calendar.date(byAdding: step, to: interval.start)
        else { return nil }
        return BudgetWindow(start: interval.start, end: end)
    }
}
