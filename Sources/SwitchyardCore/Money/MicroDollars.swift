/// An amount of US dollars in integer millionths (micro-dollars).
///
/// Switchyard never stores or adds money as floating point: prices, estimates, reservations and settled costs are
/// all `MicroDollars`. `$1.00` is `MicroDollars(1_000_000)`.
///
/// ```swift
/// let limit = try MicroDollars(parsing: "1.00")   // 1_000_000 µ$
/// print(limit.formatted)                            // "$1.000000"
/// ```
public struct MicroDollars: Sendable, Hashable, Comparable, Codable, ExpressibleByIntegerLiteral,
    CustomStringConvertible
{
    /// The amount in micro-dollars.
    public var rawValue: Int64

    /// Creates an amount from micro-dollars.
    public init(_ micros: Int64) { self.rawValue = micros }

    public init(integerLiteral value: Int64) { self.rawValue = value }

    /// Zero dollars.
    public static let zero = MicroDollars(0)

    /// Parses a decimal dollar amount such as `"1"`, `"0.25"` or `"0.000001"` exactly.
    ///
    /// - Throws: ``MoneyParseError`` for anything that is not a plain non-negative decimal with at most six
    ///   fractional digits, or that does not fit.
    public init(parsing text: String) throws {
        let trimmed = text.hasPrefix("$") ? String(text.dropFirst()) : text
        let parts = trimmed.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), !(parts[0].isEmpty && (parts.count == 1 || parts[1].isEmpty)),
            parts.allSatisfy({ $0.allSatisfy(\.isASCIIDigit) })
        else { throw MoneyParseError(text: text, reason: "expected a dollar amount such as 1.50") }
        let fraction = parts.count == 2 ? parts[1] : ""
        guard fraction.count <= 6 else {
            throw MoneyParseError(text: text, reason: "at most six decimal places (one micro-dollar) are allowed")
        }
        let paddedFraction = fraction + String(repeating: "0", count: 6 - fraction.count)
        guard let whole = Int64(parts[0].isEmpty ? "0" : parts[0]), let micros = Int64(paddedFraction),
            whole <= Int64.max / 1_000_000
        else { throw MoneyParseError(text: text, reason: "the amount is too large") }
        self.rawValue = whole * 1_000_000 + micros
    }

    /// Converts a dollar amount that arrived as a JSON or YAML number, rounding to the nearest micro-dollar.
    ///
    /// Only for input at the edges (a client's `max_cost_usd`, a config value); never use it for arithmetic.
    /// Returns `nil` for negative, non-finite or out-of-range values.
    public init?(dollars: Double) {
        guard dollars.isFinite, dollars >= 0, dollars < 9.2e12 else { return nil }
        self.rawValue = Int64((dollars * 1_000_000).rounded())
    }

    /// The amount as an exact decimal string of dollars with six places, e.g. `"0.001250"`.
    public var decimalString: String {
        let sign = rawValue < 0 ? "-" : ""
        let magnitude = rawValue.magnitude
        let fraction = String(magnitude % 1_000_000)
        return "\(sign)\(magnitude / 1_000_000).\(String(repeating: "0", count: 6 - fraction.count))\(fraction)"
    }

    /// The amount for people: `"$0.001250"`.
    public var formatted: String { "$" + decimalString }

    /// The amount as a JSON-friendly dollar figure. Exact for any amount below 2^53 micro-dollars.
    public var dollars: Double { Double(rawValue) / 1_000_000 }

    public var description: String { formatted }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
    /// Saturating: a sum past ±9.2 × 10¹² dollars stays at the limit instead of trapping.
    public static func + (lhs: Self, rhs: Self) -> Self {
        let (sum, overflow) = lhs.rawValue.addingReportingOverflow(rhs.rawValue)
        return overflow ? Self(rhs.rawValue > 0 ? .max : .min) : Self(sum)
    }

    /// Saturating, like ``+(_:_:)``.
    public static func - (lhs: Self, rhs: Self) -> Self {
        let (difference, overflow) = lhs.rawValue.subtractingReportingOverflow(rhs.rawValue)
        return overflow ? Self(rhs.rawValue < 0 ? .max : .min) : Self(difference)
    }

    /// `self × numerator / denominator`, rounded up; saturating, never trapping (a ratio that is not a non-negative
    /// fraction leaves the amount as it is). For prices derived from others: `1.25 ×` is `scaled(by: 5, over: 4)`.
    public func scaled(by numerator: Int64, over denominator: Int64) -> Self {
        guard numerator >= 0, denominator > 0 else { return self }
        let (product, overflow) = rawValue.multipliedReportingOverflow(by: numerator)
        guard !overflow else { return Self(rawValue > 0 ? .max : .min) }
        let quotient = product / denominator
        return Self(quotient + (product % denominator > 0 ? 1 : 0))
    }

    public static func += (lhs: inout Self, rhs: Self) { lhs = lhs + rhs }
    public static func -= (lhs: inout Self, rhs: Self) { lhs = lhs - rhs }

    public init(from decoder: any Decoder) throws {
        self.rawValue = try decoder.singleValueContainer().decode(Int64.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

/// A dollar amount that could not be read.
public struct MoneyParseError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The text that was given.
    public var text: String
    /// What was wrong with it.
    public var reason: String
    public var description: String { "invalid dollar amount '\(text)': \(reason)" }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
