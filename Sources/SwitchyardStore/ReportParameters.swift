public import struct Foundation.Date
public import SwitchyardCore

/// A report's parameters by name, as `GET /reports/...` takes them in its query string: `since`, `until`,
/// `group_by`.
///
/// ```swift
/// let request = try CostReport.Request(parameters: ReportParameters(["group_by": "user,day", "since": "2026-11-01"]))
/// ```
public struct ReportParameters: Sendable {
    public var values: [String: String]
    /// When the request was made: an open `until` is a day after it.
    public var now: Date
    /// The prices in effect, for a cost report with `reprice=true`.
    public var currentPrices: PriceTable

    public init(_ values: [String: String], now: Date = Date(), currentPrices: PriceTable = PriceTable()) {
        self.values = values
        self.now = now
        self.currentPrices = currentPrices
    }

    public subscript(name: String) -> String? { values[name] }

    /// `since` (inclusive) and `until` (exclusive), each a date or an ISO-8601 time (see
    /// ``ReportRange/date(parsing:)``); by default from the Unix epoch to a day after ``now``. Both bounds are
    /// shown in ISO-8601.
    public func range() throws(ReportParameterError) -> ReportRange {
        func date(_ name: String) throws(ReportParameterError) -> Date? {
            guard let text = values[name] else { return nil }
            guard let date = ReportRange.date(parsing: text) else {
                throw ReportParameterError(
                    parameter: name, message: "'\(name)' must be a date (2026-11-21) or an ISO-8601 time, not '\(text)'")
            }
            return date
        }
        let since = try date("since") ?? Date(timeIntervalSince1970: 0)
        let until = try date("until") ?? now.addingTimeInterval(86_400)
        guard since < until else {
            throw ReportParameterError(parameter: "since", message: "'since' must be before 'until'")
        }
        return ReportRange(since: since, until: until)
    }
}

extension ReportParameters {
    /// The whole number `name` gives, `nil` when it is absent.
    ///
    /// - Throws: ``ReportParameterError`` when it is not a whole number in `range`.
    public func integer(_ name: String, in range: ClosedRange<Int>) throws(ReportParameterError) -> Int? {
        guard let text = values[name] else { return nil }
        guard let value = Int(text), range.contains(value) else {
            throw ReportParameterError(
                parameter: name,
                message: "'\(name)' must be a whole number from \(range.lowerBound) to \(range.upperBound), "
                    + "not '\(text.prefix(64))'")
        }
        return value
    }
}

/// A report parameter that is not one of the values it may take. ``message`` says which values are.
public struct ReportParameterError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The parameter at fault (`since`, `group_by`, ...).
    public var parameter: String
    public var message: String

    public init(parameter: String, message: String) {
        self.parameter = parameter
        self.message = message
    }

    public var description: String { message }
}
