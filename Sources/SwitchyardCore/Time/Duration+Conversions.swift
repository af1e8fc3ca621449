extension Duration {
    /// The duration in seconds, as a `Double` (for rates, scores and JSON figures; never for money).
    package var inSeconds: Double {
        Double(components.seconds) + Double(components.attoseconds) * 1e-18
    }

    /// The duration in milliseconds, as a `Double` (for latency figures).
    package var inMilliseconds: Double {
        Double(components.seconds) * 1000 + Double(components.attoseconds) * 1e-15
    }

    /// The duration in whole milliseconds, rounded toward zero (as config files and the ledger write it).
    package var wholeMilliseconds: Int64 {
        components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000
    }
}
