public import struct Foundation.Date

/// The half-open time range `[since, until)` a report covers, and how the report shows its bounds.
///
/// A bound's ``Bound/text`` is what the report's JSON says: `GET /reports/...` states both bounds in ISO-8601
/// (filling in open ones), `switchyard report` echoes its arguments as typed and shows an open bound as `null`.
///
/// ```swift
/// let range = ReportRange(since: .init(monthStart), until: nil)   // until: no end
/// ```
public struct ReportRange: Sendable, Hashable {
    /// One end of the range.
    public struct Bound: Sendable, Hashable {
        public var date: Date
        /// How the report shows the bound.
        public var text: String

        /// - Parameters:
        ///   - date: the instant.
        ///   - text: how the report shows it; ISO-8601 (`2026-11-21T00:00:00Z`) unless given.
        public init(_ date: Date, text: String? = nil) {
            self.date = date
            self.text = text ?? date.formatted(.iso8601)
        }
    }

    /// The start, inclusive; `nil` for the beginning of the ledger.
    public var since: Bound?
    /// The end, exclusive; `nil` for no end.
    public var until: Bound?

    public init(since: Bound? = nil, until: Bound? = nil) {
        self.since = since
        self.until = until
    }

    /// `[since, until)`, both bounds shown in ISO-8601.
    public init(since: Date, until: Date) {
        self.init(since: Bound(since), until: Bound(until))
    }

    /// The first instant covered: ``since``, else the Unix epoch.
    public var lowerBound: Date { since?.date ?? Date(timeIntervalSince1970: 0) }
    /// The first instant no longer covered: ``until``, else far in the future.
    public var upperBound: Date { until?.date ?? Date.distantFuture }

    /// The bounds in the ledger's timestamp form, as the reports' SQL compares them.
    var ledgerBounds: (String, String) {
        (LedgerTimestamp.string(from: lowerBound), LedgerTimestamp.string(from: upperBound))
    }

    /// Reads a bound as both the HTTP API and the command line take it: an ISO-8601 time (`2026-11-21T09:30:00Z`,
    /// `2026-11-21T10:30:00+01:00`) or a UTC day (`2026-11-21`, its midnight). `nil` for anything else.
    public static func date(parsing text: String) -> Date? {
        if let date = try? Date(text, strategy: .iso8601) { return date }
        if let date = try? Date(text + "T00:00:00Z", strategy: .iso8601) { return date }
        return nil
    }

    /// Encodes the bounds as `since` and `until` (`null` when open) into a report's container.
    func encode<Key: CodingKey>(into container: inout KeyedEncodingContainer<Key>, since: Key, until: Key) throws {
        try container.encode(self.since?.text, forKey: since)
        try container.encode(self.until?.text, forKey: until)
    }
}
