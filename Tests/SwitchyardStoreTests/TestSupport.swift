import Foundation
import GRDB
import SwitchyardCore

@testable import SwitchyardStore

/// A fresh directory under the system temp dir, removed after `body`.
func withTemporaryDirectory(_ body: (URL) async throws -> Void) async throws {
    let directory = FileManager.default.temporaryDirectory
        .appending(path: "switchyard-store-tests-\(UUID().uuidString)", directoryHint: .isDirectory)
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    try await body(directory)
}

/// A migrated ledger in a fresh temporary file.
func withLedger(_ body: (LedgerDatabase) async throws -> Void) async throws {
    try await withTemporaryDirectory { directory in
        let database = try LedgerDatabase(path: directory.appending(path: "ledger.sqlite").path)
        try await body(database)
    }
}

/// Runs `sink.run()` beside `body`, then finishes the writer and waits for it to drain.
func withRunningSink(_ sink: LedgerEventSink, _ body: (LedgerEventSink) async throws -> Void) async throws {
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await sink.run() }
        try await body(sink)
        sink.finish()
        try await group.waitForAll()
    }
}

extension LedgerDatabase {
    /// The single value of a one-row, one-column query (through the read-only query path).
    func scalar(_ sql: String) async throws -> SQLValue {
        let result = try await query(sql)
        precondition(result.rows.count == 1 && result.columns.count == 1, "expected one value from \(sql)")
        return result.rows[0][0]
    }

    func integer(_ sql: String) async throws -> Int64? {
        if case .integer(let value) = try await scalar(sql) { return value }
        return nil
    }

    func count(_ table: String) async throws -> Int64 {
        try await integer("SELECT count(*) FROM \(table)") ?? -1
    }
}

/// A fixed wall-clock time: 2025-06-15 12:00:00 UTC plus `seconds`.
func testDate(_ seconds: Double = 0) -> Date {
    Date(timeIntervalSince1970: 1_749_988_800 + seconds)
}

/// The events of one request, built with sensible defaults.
enum Events {
    static func received(
        _ id: String, user: String = "alice", at: Date = testDate(), route: String = "default", key: String? = nil,
        team: String? = nil
    ) -> RouterEvent {
        .requestReceived(
            RequestReceived(
                requestID: id, userID: user, route: route, requestedModel: "auto", priority: .cost,
                classification: .code, stream: false, at: at, keyID: key, team: team))
    }

    static func started(
        _ id: String, seq: Int, provider: String, model: String, at: Date = testDate(), escalation: Bool = false
    ) -> RouterEvent {
        .attemptStarted(
            AttemptStarted(
                requestID: id, seq: seq, tier: "primary", provider: provider, model: model, isEscalation: escalation,
                at: at))
    }

    static func finished(
        _ id: String, seq: Int, provider: String, model: String, outcome: AttemptOutcome, cost: MicroDollars = 0,
        latencyMs: Int = 100, at: Date = testDate(), escalation: Bool = false
    ) -> RouterEvent {
        let failed = outcome != .success && outcome != .escalated
        return .attemptFinished(
            AttemptFinished(
                requestID: id, seq: seq, tier: "primary", provider: provider, model: model, outcome: outcome,
                isEscalation: escalation, httpStatus: failed ? 503 : 200, errorCode: failed ? "unavailable" : nil,
                errorMessage: failed ? "upstream unavailable" : nil,
                usage: failed ? nil : TokenUsage(promptTokens: 10, completionTokens: 20), cost: cost,
                latency: .milliseconds(latencyMs), startedAt: at))
    }

    static func requestFinished(
        _ id: String, user: String = "alice", status: RequestStatus = .success, provider: String? = nil,
        model: String? = nil, cost: MicroDollars = 0, attempts: Int = 1, escalated: Bool = false,
        at: Date = testDate(1)
    ) -> RouterEvent {
        .requestFinished(
            RequestFinished(
                requestID: id, userID: user, status: status, provider: provider, model: model,
                usage: TokenUsage(promptTokens: 10, completionTokens: 20), cost: cost, latency: .milliseconds(250),
                errorCode: status == .success ? nil : "no_capacity", attempts: attempts, escalated: escalated, at: at))
    }

    static func breaker(
        _ provider: String, _ from: BreakerState, _ to: BreakerState, at: Date = testDate(), openUntil: Date? = nil
    ) -> RouterEvent {
        .breakerTransition(
            BreakerTransition(provider: provider, from: from, to: to, reason: "test", at: at, openUntil: openUntil))
    }
}

/// Another connection on the same file holding SQLite's write lock, as an operator's `sqlite3` session after
/// `BEGIN IMMEDIATE` (or a backup) would, until ``release()``.
final class WriteLockHolder {
    private let queue: DatabaseQueue

    init(path: String) throws {
        var configuration = GRDB.Configuration()
        configuration.allowsUnsafeTransactions = true  // the transaction outlives the access that began it
        configuration.busyMode = .timeout(10)
        queue = try DatabaseQueue(path: path, configuration: configuration)
        try queue.writeWithoutTransaction { db in try db.execute(sql: "BEGIN IMMEDIATE") }
    }

    func release() throws {
        try queue.writeWithoutTransaction { db in try db.execute(sql: "ROLLBACK") }
        try queue.close()
    }
}

struct TimedOut: Error, CustomStringConvertible {
    var description: String
}

/// Waits until `condition` holds, checking every few milliseconds; throws after `timeout`.
func waitUntil(
    _ what: String, timeout: Duration = .seconds(20), _ condition: () async throws -> Bool
) async throws {
    let deadline = ContinuousClock.now.advanced(by: timeout)
    while try await !condition() {
        guard ContinuousClock.now < deadline else { throw TimedOut(description: "timed out waiting until \(what)") }
        try await Task.sleep(for: .milliseconds(2))
    }
}
