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
