import SwitchyardStore

extension Array where Element == SQLValue {
    /// The column as an integer (0 when null or absent).
    func int(_ index: Int) -> Int {
        guard index < count else { return 0 }
        switch self[index] {
        case .integer(let value): return Int(value)
        case .real(let value): return Int(saturating: value)
        case .text(let text): return Int(text) ?? 0
        default: return 0
        }
    }

    /// The column as a real number (0 when null or absent).
    func double(_ index: Int) -> Double {
        guard index < count else { return 0 }
        switch self[index] {
        case .integer(let value): return Double(value)
        case .real(let value): return value
        case .text(let text): return Double(text) ?? 0
        default: return 0
        }
    }

    /// The column as text (empty when null or absent).
    func string(_ index: Int) -> String {
        guard index < count else { return "" }
        if case .null = self[index] { return "" }
        return self[index].description
    }
}

extension Int {
    /// `value` rounded towards zero and clamped to `Int`'s range; 0 for NaN. Never traps.
    init(saturating value: Double) {
        if value.isNaN {
            self = 0
        } else if value >= 0x1p63 {
            self = .max
        } else if value <= -0x1p63 {
            self = .min
        } else {
            self = Int(value)
        }
    }
}
