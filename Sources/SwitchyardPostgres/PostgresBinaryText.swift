import Foundation
import NIOCore
import PostgresNIO
import SwitchyardStore

/// Values in PostgreSQL's binary format (the one postgres-nio asks for) as ``SQLValue``s, for the types that have no
/// Swift counterpart in the ledger: the text PostgreSQL itself would print for timestamps (UTC), dates, times,
/// intervals, `uuid`, `json`/`jsonb`, bit strings and arrays; object ids as integers.
enum PostgresBinaryText {
    /// `nil` when the type is not one of these.
    static func value(_ type: PostgresDataType, _ bytes: ByteBuffer) -> SQLValue? {
        var buffer = bytes
        switch type.rawValue {
        case PostgresDataType.timestamp.rawValue:
            return buffer.readInteger(as: Int64.self).map { .text(timestamp($0)) }
        case PostgresDataType.timestamptz.rawValue:
            return buffer.readInteger(as: Int64.self).map {
                .text($0 == .max || $0 == .min ? timestamp($0) : timestamp($0) + "+00")
            }
        case PostgresDataType.date.rawValue:
            return buffer.readInteger(as: Int32.self).map { .text(date($0)) }
        case PostgresDataType.time.rawValue:
            return buffer.readInteger(as: Int64.self).map { .text(clock($0)) }
        case PostgresDataType.timetz.rawValue:
            guard let time = buffer.readInteger(as: Int64.self), let zone = buffer.readInteger(as: Int32.self)
            else { return nil }
            return .text(clock(time) + offset(-Int(zone)))
        case PostgresDataType.interval.rawValue:
            guard let micros = buffer.readInteger(as: Int64.self), let days = buffer.readInteger(as: Int32.self),
                let months = buffer.readInteger(as: Int32.self)
            else { return nil }
            return .text(interval(micros: micros, days: days, months: months))
        case PostgresDataType.uuid.rawValue:
            return (try? UUID(from: &buffer, type: .uuid, format: .binary, context: .default))
                .map { .text($0.uuidString.lowercased()) }
        case PostgresDataType.json.rawValue:
            return .text(String(decoding: buffer.readableBytesView, as: UTF8.self))
        case PostgresDataType.jsonb.rawValue:
            guard buffer.readInteger(as: UInt8.self) == 1 else { return nil }
            return .text(String(decoding: buffer.readableBytesView, as: UTF8.self))
        case 18:  // "char"
            return .text(String(decoding: buffer.readableBytesView, as: UTF8.self))
        case 26, 24, 28, 29, 2202, 2203, 2204, 2205, 2206, 3734, 3769, 4089, 4096:
            // oid, regproc, xid, cid and the other reg* types: an unsigned 32-bit id.
            return buffer.readInteger(as: UInt32.self).map { .integer(Int64($0)) }
        case 5069:  // xid8
            return buffer.readInteger(as: UInt64.self).map { .integer(Int64(clamping: $0)) }
        case PostgresDataType.bit.rawValue, PostgresDataType.varbit.rawValue:
            guard let count = buffer.readInteger(as: Int32.self) else { return nil }
            var bits = ""
            for byte in buffer.readableBytesView {
                for bit in 0..<8 where bits.count < Int(count) { bits += byte & (0x80 >> bit) != 0 ? "1" : "0" }
            }
            return .text(bits)
        default:
            return array(buffer)
        }
    }

    /// An array, as PostgreSQL prints it (`{1,2,NULL}`, `{{a,"b c"},{d,e}}`); `nil` if `bytes` is not one.
    private static func array(_ bytes: ByteBuffer) -> SQLValue? {
        var buffer = bytes
        guard let dimensions = buffer.readInteger(as: Int32.self), (0...6).contains(dimensions),
            let flags = buffer.readInteger(as: Int32.self), flags == 0 || flags == 1,
            let element = buffer.readInteger(as: UInt32.self)
        else { return nil }
        var sizes: [Int] = []
        var lowerBounds: [Int32] = []
        for _ in 0..<dimensions {
            guard let size = buffer.readInteger(as: Int32.self), size >= 0,
                let lowerBound = buffer.readInteger(as: Int32.self)
            else { return nil }
            sizes.append(Int(size))
            lowerBounds.append(lowerBound)
        }
        let type = PostgresDataType(element)
        var items: [String] = []
        for _ in 0..<sizes.reduce(dimensions == 0 ? 0 : 1, *) {
            guard let length = buffer.readInteger(as: Int32.self) else { return nil }
            if length < 0 {
                items.append("NULL")
                continue
            }
            guard let item = buffer.readSlice(length: Int(length)) else { return nil }
            items.append(arrayItem(type, item))
        }
        guard buffer.readableBytes == 0 else { return nil }
        var text = ""
        if lowerBounds.contains(where: { $0 != 1 }) {
            text = zip(lowerBounds, sizes).map { "[\($0):\(Int($0) + $1 - 1)]" }.joined() + "="
        }
        var position = 0
        func nest(_ level: Int) -> String {
            guard level < sizes.count else {
                defer { position += 1 }
                return items[position]
            }
            return "{" + (0..<sizes[level]).map { _ in nest(level + 1) }.joined(separator: ",") + "}"
        }
        return .text(text + (dimensions == 0 ? "{}" : nest(0)))
    }

    private static func arrayItem(_ type: PostgresDataType, _ bytes: ByteBuffer) -> String {
        if type == .bool { return bytes.readableBytesView.first == 1 ? "t" : "f" }
        let text: String =
            switch PostgresCellValue.value(type, bytes) {
            case .null: "NULL"
            case .integer(let value): String(value)
            case .real(let value) where value == value.rounded() && abs(value) < 1e15: String(Int64(value))
            case .real(let value): String(value)
            case .text(let value): value
            case .blob(let value): "\\x" + value.map { String(format: "%02x", $0) }.joined()
            }
        let needsQuotes =
            text.isEmpty || text.uppercased() == "NULL"
            || text.contains { "{}\",\\".contains($0) || $0.isWhitespace }
        guard needsQuotes else { return text }
        return "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            + "\""
    }

    // MARK: Dates and times

    private static let microsPerDay: Int64 = 86_400_000_000

    /// Microseconds since 2000-01-01 00:00:00 as `YYYY-MM-DD HH:MM:SS[.ffffff]`.
    private static func timestamp(_ micros: Int64) -> String {
        if micros == .max { return "infinity" }
        if micros == .min { return "-infinity" }
        let (days, time) = micros.floorDivided(by: microsPerDay)
        let (year, month, day) = civil(days)
        return "\(dateText(year, month, day, era: false)) \(clock(time))\(year <= 0 ? " BC" : "")"
    }

    /// Days since 2000-01-01 as `YYYY-MM-DD`.
    private static func date(_ days: Int32) -> String {
        if days == .max { return "infinity" }
        if days == .min { return "-infinity" }
        let (year, month, day) = civil(Int64(days))
        return dateText(year, month, day, era: true)
    }

    private static func dateText(_ year: Int64, _ month: Int, _ day: Int, era: Bool) -> String {
        let shown = year <= 0 ? 1 - year : year
        return "\(pad(shown, 4))-\(pad(Int64(month), 2))-\(pad(Int64(day), 2))" + (era && year <= 0 ? " BC" : "")
    }

    /// Microseconds since midnight as `HH:MM:SS[.ffffff]`, without trailing zeros in the fraction.
    private static func clock(_ micros: Int64) -> String {
        let seconds = micros / 1_000_000
        var text = "\(pad(seconds / 3600, 2)):\(pad(seconds / 60 % 60, 2)):\(pad(seconds % 60, 2))"
        let fraction = micros % 1_000_000
        if fraction != 0 {
            var digits = pad(fraction, 6)
            while digits.hasSuffix("0") { digits.removeLast() }
            text += "." + digits
        }
        return text
    }

    private static func offset(_ seconds: Int) -> String {
        let sign = seconds < 0 ? "-" : "+"
        let magnitude = abs(seconds)
        var text = sign + pad(Int64(magnitude / 3600), 2)
        if magnitude % 3600 != 0 { text += ":" + pad(Int64(magnitude / 60 % 60), 2) }
        if magnitude % 60 != 0 { text += ":" + pad(Int64(magnitude % 60), 2) }
        return text
    }

    /// As PostgreSQL's default `IntervalStyle` (`postgres`): `1 year 2 mons 3 days 04:05:06.5`.
    private static func interval(micros: Int64, days: Int32, months: Int32) -> String {
        var parts: [String] = []
        func part(_ value: Int64, _ unit: String) {
            if value != 0 { parts.append("\(value) \(unit)\(value == 1 ? "" : "s")") }
        }
        part(Int64(months / 12), "year")
        part(Int64(months % 12), "mon")
        part(Int64(days), "day")
        if micros != 0 || parts.isEmpty {
            parts.append((micros < 0 ? "-" : "") + clock(micros.magnitude > Int64.max.magnitude ? .max : abs(micros)))
        }
        return parts.joined(separator: " ")
    }

    /// Year, month and day of a day count from 2000-01-01 (proleptic Gregorian; year 0 is 1 BC).
    private static func civil(_ daysSince2000: Int64) -> (Int64, Int, Int) {
        // Howard Hinnant's days_from_civil inverse, from 1970-01-01 (10,957 days before 2000-01-01).
        let z = daysSince2000 + 10_957 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = Int(dayOfYear - (153 * monthIndex + 2) / 5 + 1)
        let month = Int(monthIndex < 10 ? monthIndex + 3 : monthIndex - 9)
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    private static func pad(_ value: Int64, _ width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}

extension Int64 {
    fileprivate func floorDivided(by divisor: Int64) -> (quotient: Int64, remainder: Int64) {
        let remainder = self % divisor
        return remainder < 0 ? (self / divisor - 1, remainder + divisor) : (self / divisor, remainder)
    }
}
