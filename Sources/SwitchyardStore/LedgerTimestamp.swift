public import struct Foundation.Date

/// The ledger's one timestamp form: UTC text `YYYY-MM-DD HH:MM:SS.SSS`, e.g. `2025-01-31 23:59:59.123`.
///
/// SQLite's date functions read it (`date(at)`, `strftime('%H', at)`, `julianday(at)`), it equals what
/// `strftime('%Y-%m-%d %H:%M:%f', ...)` produces, and it sorts chronologically as text, so range filters use
/// plain indexes. Formatting is done by hand (no `DateFormatter`) because it runs for every recorded row.
public enum LedgerTimestamp {
    /// Formats `date` in the ledger's form, rounded to the millisecond.
    public static func string(from date: Date) -> String {
        let totalMillis = Int64((date.timeIntervalSince1970 * 1000).rounded())
        let (days, millisOfDay) = floorDivide(totalMillis, 86_400_000)
        let (year, month, day) = civil(fromDays: days)
        let hour = Int(millisOfDay / 3_600_000)
        let minute = Int(millisOfDay / 60_000 % 60)
        let second = Int(millisOfDay / 1000 % 60)
        let milli = Int(millisOfDay % 1000)
        guard (0...9999).contains(year) else { return fallback(year, month, day, hour, minute, second, milli) }
        return String(unsafeUninitializedCapacity: 23) { buffer in
            func put(_ value: Int, digits: Int, at offset: Int) {
                var value = value
                for index in stride(from: offset + digits - 1, through: offset, by: -1) {
                    buffer[index] = UInt8(ascii: "0") + UInt8(value % 10)
                    value /= 10
                }
            }
            put(year, digits: 4, at: 0)
            buffer[4] = UInt8(ascii: "-")
            put(month, digits: 2, at: 5)
            buffer[7] = UInt8(ascii: "-")
            put(day, digits: 2, at: 8)
            buffer[10] = UInt8(ascii: " ")
            put(hour, digits: 2, at: 11)
            buffer[13] = UInt8(ascii: ":")
            put(minute, digits: 2, at: 14)
            buffer[16] = UInt8(ascii: ":")
            put(second, digits: 2, at: 17)
            buffer[19] = UInt8(ascii: ".")
            put(milli, digits: 3, at: 20)
            return 23
        }
    }

    /// Reads a timestamp in the ledger's form; the fraction (1 to 3 digits) is optional. Returns `nil` otherwise.
    public static func date(from text: String) -> Date? {
        let bytes = Array(text.utf8)
        guard bytes.count >= 19 else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for index in range {
                let byte = bytes[index]
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            return value
        }
        guard bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
            bytes[10] == UInt8(ascii: " ") || bytes[10] == UInt8(ascii: "T"),
            bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"),
            let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
            let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19),
            (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }
        var millis = 0
        if bytes.count > 19 {
            guard bytes[19] == UInt8(ascii: "."), (21...23).contains(bytes.count),
                let fraction = number(20..<bytes.count)
            else { return nil }
            millis = fraction * [1, 100, 10, 1][bytes.count - 20]
        }
        let days = daysFromCivil(year: year, month: month, day: day)
        let seconds = Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + second)
        return Date(timeIntervalSince1970: Double(seconds) + Double(millis) / 1000)
    }

    /// A ledger timestamp as the reports' JSON writes times: ISO 8601 in UTC with milliseconds,
    /// `2025-01-31T23:59:59.123Z`. Text that is not a ledger timestamp is returned as it is.
    public static func iso8601(fromLedger text: String) -> String {
        guard text.utf8.count == 23, date(from: text) != nil else { return text }
        return text.prefix(10) + "T" + text.dropFirst(11) + "Z"
    }

    // Howard Hinnant's civil-calendar algorithms (proleptic Gregorian), exact for any day count.
    private static func civil(fromDays days: Int64) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (Int(year), Int(month), Int(day))
    }

    private static func daysFromCivil(year: Int, month: Int, day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let m = Int64(month)
        let dayOfYear = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + Int64(day) - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    private static func floorDivide(_ value: Int64, _ divisor: Int64) -> (Int64, Int64) {
        let quotient = value >= 0 ? value / divisor : (value - divisor + 1) / divisor
        return (quotient, value - quotient * divisor)
    }

    private static func fallback(_ values: Int...) -> String {
        // Years outside 0...9999 never occur in practice; keep the shape without the fast path.
        let (year, month, day, hour, minute, second, milli) =
            (values[0], values[1], values[2], values[3], values[4], values[5], values[6])
        func pad(_ value: Int, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2)) \(pad(hour, 2)):\(pad(minute, 2)):\(pad(second, 2))"
            + ".\(pad(milli, 3))"
    }
}

extension Duration {
    /// The duration in whole milliseconds, rounded to the nearest.
    package var roundedMilliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + (attoseconds + 500_000_000_000_000) / 1_000_000_000_000_000
    }
}
