/// A spinner on standard error while a long-running step works, shown only when standard error is a terminal and
/// only after a short delay (so quick commands never flicker). Piped or redirected, it prints nothing.
///
/// ```swift
/// let report = try await Progress.while("computing the cost report") {
///     try await database.costReport(since: since, until: until, groupedBy: [.user])
/// }
/// ```
enum Progress {
    private static let frames = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"]

    /// Runs `body`, showing `message` with a spinner and the elapsed seconds on a terminal.
    static func `while`<T>(
        _ message: String,
        enabled: Bool = Console.stderrIsTerminal,
        _ body: () async throws -> T
    ) async throws -> T {
        guard enabled else { return try await body() }
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await spin(message) }
            defer { group.cancelAll() }
            let result = try await body()
            group.cancelAll()
            try await group.waitForAll()
            return result
        }
    }

    /// Redraws the spinner every 100 ms after a 300 ms delay until cancelled, then erases its line.
    private static func spin(_ message: String) async {
        let start = ContinuousClock.now
        do { try await Task.sleep(for: .milliseconds(300)) } catch { return }
        var frame = 0
        while !Task.isCancelled {
            let elapsed = (ContinuousClock.now - start).components.seconds
            Console.writeError("\r\(frames[frame % frames.count]) \(message)… \(elapsed)s\u{1B}[K")
            frame += 1
            do { try await Task.sleep(for: .milliseconds(100)) } catch { break }
        }
        Console.writeError("\r\u{1B}[K")
    }
}
