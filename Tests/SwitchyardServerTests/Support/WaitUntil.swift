import SwitchyardTesting

/// Waits until `condition` holds, looking again every few milliseconds, and fails after `timeout`.
///
/// For state that has no event to wait on (the router's queue length); the test's own time limit still applies.
func waitUntil(
    _ what: String,
    timeout: Duration = .seconds(20),
    _ condition: @Sendable () async throws -> Bool
) async throws {
    let clock = ContinuousClock()
    let deadline = clock.now.advanced(by: timeout)
    while try await !condition() {
        guard clock.now < deadline else { throw WaitTimedOut(what: what) }
        try await Task.sleep(for: .milliseconds(5))
    }
}

struct WaitTimedOut: Error, CustomStringConvertible {
    var what: String
    var description: String { "timed out waiting until \(what)" }
}
