import struct Foundation.Date

/// Parses the waits upstreams ask for: HTTP `Retry-After` (delay-seconds `"120"` or an HTTP date
/// `"Wed, 21 Oct 2015 07:28:00 GMT"`), OpenAI's `retry-after-ms` and Google's `RetryInfo.retryDelay` (`"37s"`).
///
/// Every value is upstream input, so parsing is checked and saturating: an absurd number (`1e300`,
/// `99999999999999999999`, `inf`) or a far-future date gives ``maximum``, never a trap; a negative number or `NaN` is
/// not understood (`nil`). The router caps the wait further by its own configuration.
enum RetryAfter {
    /// The longest wait any upstream value can ask for here: 24 hours.
    static let maximum: Duration = .seconds(maximumSeconds)
    private static let maximumSeconds: Int64 = 86_400

    /// The wait a `Retry-After` value asks for, measured from `now`; `nil` when the value is not understood.
    /// A date in the past means "now" (zero).
    static func parse(_ value: String, now: Date) -> Duration? {
        let text = value.trimmingWhitespace()
        if let seconds = Double(text) { return saturating(seconds: seconds) }
        guard let date = httpDate(text) else { return nil }
        return saturating(seconds: max(date.timeIntervalSince(now), 0))
    }

    /// An OpenAI `retry-after-ms` value (`"1500"`, also fractional).
    static func parseMilliseconds(_ value: String) -> Duration? {
        guard let millis = Double(value.trimmingWhitespace()) else { return nil }
        return saturating(seconds: millis / 1000)
    }

    /// A Google `google.rpc.RetryInfo.retryDelay` value such as `"37s"` or `"1.5s"`.
    static func parseProtobufDuration(_ value: String) -> Duration? {
        guard value.hasSuffix("s"), let seconds = Double(value.dropLast()) else { return nil }
        return saturating(seconds: seconds)
    }

    /// `seconds` as a duration of whole milliseconds, at most ``maximum``; `nil` for negative numbers and `NaN`.
    static func saturating(seconds: Double) -> Duration? {
        guard !seconds.isNaN, seconds >= 0 else { return nil }
        guard seconds < Double(maximumSeconds) else { return maximum }
        return .milliseconds(Int64((seconds * 1000).rounded()))
    }

    private static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

    /// Parses the IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`) and the obsolete RFC 850 form
    /// (`Sunday, 06-Nov-94 08:49:37 GMT`), the forms RFC 9110 asks recipients to accept besides asctime.
    static func httpDate(_ text: String) -> Date? {
        // Drop the weekday: everything up to the first comma.
        guard let comma = text.firstIndex(of: ",") else { return asctimeDate(text) }
        let rest = String(text[text.index(after: comma)...]).trimmingWhitespace()
        let fields = rest.split(separator: " ")
        let day: Int, month: Int, year: Int, time: Substring
        if fields.count == 3, fields[2] == "GMT" {  // RFC 850: 06-Nov-94 08:49:37 GMT
            let parts = fields[0].split(separator: "-")
            guard parts.count == 3, let d = Int(parts[0]), let m = monthNumber(parts[1]), let y = Int(parts[2])
            else { return nil }
            (day, month, year, time) = (d, m, y < 100 ? (y < 70 ? 2000 + y : 1900 + y) : y, fields[1])
        } else if fields.count == 5, fields[4] == "GMT" {  // IMF-fixdate: 06 Nov 1994 08:49:37 GMT
            guard let d = Int(fields[0]), let m = monthNumber(fields[1]), let y = Int(fields[2]) else { return nil }
            (day, month, year, time) = (d, m, y, fields[3])
        } else {
            return nil
        }
        return date(year: year, month: month, day: day, time: time)
    }

    /// asctime: `Sun Nov  6 08:49:37 1994`.
    private static func asctimeDate(_ text: String) -> Date? {
        let fields = text.split(separator: " ")
        guard fields.count == 5, let month = monthNumber(fields[1]), let day = Int(fields[2]),
            let year = Int(fields[4])
        else { return nil }
        return date(year: year, month: month, day: day, time: fields[3])
    }

    private static func monthNumber(_ name: Substring) -> Int? {
        months.firstIndex(of: name.lowercased()).map { $0 + 1 }
    }

    private static func date(year: Int, month: Int, day: Int, time: Substring) -> Date? {
        let clock = time.split(separator: ":")
        // A year outside 1...9999 is nonsense; bounding it also keeps the day arithmetic below from overflowing.
        guard (1...9999).contains(year), clock.count == 3, let hour = Int(clock[0]), let minute = Int(clock[1]),
            let second = Int(clock[2]),
            (1...31).contains(day), (0...23).contains(hour), (0...59).contains(minute), (0...60).contains(second)
        else { return nil }
        let days = daysFromCivil(year: year, month: month, day: day)
        let seconds = days * 86_400 + hour * 3_600 + minute * 60 + second
        return Date(timeIntervalSince1970: Double(seconds))
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    private static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let monthIndex = (month + 9) % 12
        let dayOfYear = (153 * monthIndex + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}
