extension Duration {
    /// The duration in milliseconds, with the fraction (`1.5` for 1500 µs), as the API shows latencies.
    var fractionalMilliseconds: Double {
        Double(components.seconds) * 1000 + Double(components.attoseconds) * 1e-15
    }
}
