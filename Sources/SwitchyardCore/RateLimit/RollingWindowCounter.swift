/// Counts calls started in a rolling window (60 seconds for `requests_per_minute`) and refuses more than `limit`.
///
/// Keeps at most `limit` start times, so memory is bounded by the limit.
struct RollingWindowCounter<Instant: InstantProtocol>: Sendable where Instant.Duration == Duration {
    let limit: Int
    let window: Duration
    /// Start times in a ring buffer, oldest at `head`.
    private var starts: [Instant] = []
    private var head = 0

    init(limit: Int, window: Duration = .seconds(60)) {
        self.limit = max(limit, 1)
        self.window = window
    }

    /// Counts a call if the window has room; otherwise returns how long until it has.
    mutating func tryRecord(now: Instant) -> Duration? {
        if let wait = wait(now: now), wait > .zero { return wait }
        if starts.count < limit {
            starts.append(now)
        } else {
            starts[head] = now
            head = (head + 1) % limit
        }
        return nil
    }

    /// How long until the window has room (`nil` or zero when it has).
    func wait(now: Instant) -> Duration? {
        guard starts.count >= limit else { return nil }
        let oldest = starts[head]
        let age = oldest.duration(to: now)
        return age >= window ? nil : window - age
    }
}
