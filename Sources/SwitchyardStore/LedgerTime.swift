/// Waits and deadlines on an injected clock, shared by the event writer and the budget store.
enum LedgerTime {
    /// Sleeps `duration` on `clock`, even if the calling task is cancelled: a writer that is stopping still waits
    /// between retries instead of spinning.
    static func pause(for duration: Duration, on clock: any Clock<Duration>) async {
        await Task { try? await clock.sleep(for: duration) }.value
    }

    /// A closure that says whether `duration` has passed on `clock` since this call.
    static func deadline(after duration: Duration, on clock: any Clock<Duration>) -> @Sendable () -> Bool {
        func deadline<C: Clock<Duration>>(_ clock: C) -> @Sendable () -> Bool {
            let end = clock.now.advanced(by: duration)
            return { clock.now >= end }
        }
        return deadline(clock)
    }
}
