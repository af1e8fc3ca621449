import struct Foundation.Date

/// Parses HTTP `Retry-After` values: delay-seconds (`"120"`) or an HTTP date (`"Wed, 21 Oct 2015 07:28:00 GMT"`).
enum RetryAfter {
    /// The wait a `Retry-After` value asks for, measured from `now`; `nil` when the value is not understood.
    /// A date in the past means "now" (zero).
    static func parse(_ value: String, now: Date) -> Duration? {
        let text = value.trimmingWhitespace()
        if let seconds = Double(text), seconds.isFinite, seconds >= 0 {
            return .milliseconds(Int64((seconds * 1000).rounded()))
        }
        guard let date = httpDate(text) else { return nil }
        let interval = date.timeIntervalSince(now)
        return .milliseconds(Int64((max(interval, 0) * 1000).rounded()))
    }

    /// A Google `google.rpc.RetryInfo.retryDelay` value such as `"37s"` or `"1.5s"`.
    static func parseProtobufDuration(_ value: String) -> Duration? {
        guard value.hasSuffix("s"), let seconds = Double(value.dropLast()), seconds.isFinite, seconds >= 0 else {
            return nil
        }
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
        guard clock.count == 3, let hour = Int(clock[0]), let minute = Int(clock[1]), let second = Int(clock[2]),
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
