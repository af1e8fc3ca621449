import SwitchyardCore

/// One token count from an upstream `usage` object, read without trusting it.
///
/// Decoding never fails and never traps, whatever the JSON holds:
/// - a whole number ≥ 0 is the count, clamped to at most ``maximum`` (`1e30` and `2^63` read as ``maximum``);
/// - anything else (a negative or fractional number, a string, a bool, an object) is garbage: ``value`` is `nil` and
///   the usage report it belongs to is ignored, so the call's usage is estimated instead (a garbage count is never
///   read as zero, which would bill nothing).
struct UpstreamTokenCount: Decodable, Sendable, Hashable {
    /// The largest count accepted: the core's ``SwitchyardCore/TokenUsage/maximumCount`` (10^12 tokens), far above
    /// any real call and small enough that sums and prices of counts cannot overflow 64-bit integers.
    static let maximum = TokenUsage.maximumCount

    /// The count, in `0...maximum`; `nil` when upstream sent garbage.
    var value: Int?

    init(_ value: Int?) {
        self.value = value
    }

    init(from decoder: any Decoder) {
        guard let container = try? decoder.singleValueContainer() else {
            value = nil
            return
        }
        if let whole = try? container.decode(Int.self) {
            value = whole >= 0 ? min(whole, Self.maximum) : nil
        } else if let number = try? container.decode(Double.self), number.isFinite, number >= 0,
            number.rounded(.towardZero) == number
        {
            value = number >= Double(Self.maximum) ? Self.maximum : Int(number)
        } else {
            value = nil
        }
    }

    /// `counts` added up, clamped to ``maximum``; `nil` when any of them is garbage. Missing counts (`nil` optionals)
    /// add nothing.
    static func sum(_ counts: UpstreamTokenCount?...) -> Int? {
        var total = 0
        for count in counts {
            guard let count else { continue }
            guard let value = count.value else { return nil }
            total = min(total + value, maximum)  // both ≤ maximum: the sum cannot overflow
        }
        return total
    }
}
