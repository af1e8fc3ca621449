import struct Foundation.Date

/// Switchyard's request ids, as clients see them in `x-switchyard-request-id` and the ledger records them in
/// `requests.id`: `sy_` and 20 lowercase letters and digits, the first 9 the creation time in milliseconds and the
/// other 11 random, all in base 36 (`0-9a-z`).
///
/// Ids of later requests sort after those of earlier ones (to the millisecond), so the ledger's indexes on them
/// grow at their end: a batch of new rows touches a few index pages instead of one page per row.
public enum RequestID {
    private static let digits = Array("0123456789abcdefghijklmnopqrstuvwxyz".utf8)

    /// A new id, for now.
    public static func make() -> String {
        var generator = SystemRandomNumberGenerator()
        return make(at: Date(), random: generator.next())
    }

    /// The id made at `date` from the random bits `random`.
    static func make(at date: Date, random: UInt64) -> String {
        // 9 base-36 digits hold milliseconds until the year 5138; a clock outside that range writes zeros.
        let since1970 = date.timeIntervalSince1970 * 1000
        let milliseconds = since1970 >= 0 && since1970 < 1e14 ? UInt64(since1970) : 0
        var bytes = Array("sy_".utf8) + [UInt8](repeating: 0, count: 20)
        write(milliseconds, base36Digits: 9, into: &bytes, at: 3)
        write(random, base36Digits: 11, into: &bytes, at: 12)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Writes the lowest `count` base-36 digits of `value`, most significant first.
    private static func write(_ value: UInt64, base36Digits count: Int, into bytes: inout [UInt8], at start: Int) {
        var rest = value
        for index in stride(from: start + count - 1, through: start, by: -1) {
            bytes[index] = digits[Int(rest % 36)]
            rest /= 36
        }
    }
}
