import Foundation
import PostgresNIO
import SwitchyardCore
import SwitchyardTesting
import Testing

@testable import SwitchyardPostgres
@testable import SwitchyardStore

/// The PostgreSQL server goes away under a running ledger and comes back: nothing is lost, nothing hangs, and the
/// ledger recovers without a restart. On a server of its own (scripts/postgres-test-server), stopped and started
/// again on the same port.
@Suite(.timeLimit(.minutes(2)), .enabled(if: LedgerEngine.available.contains(.postgres)))
struct PostgresFaultTests {
    /// scripts/postgres-test-server with `arguments`; its output.
    private static func server(_ arguments: [String]) async throws -> String {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let outcome = try await ChildProcess.run(root.appending(path: "scripts/postgres-test-server"), arguments)
        guard outcome.status == 0 else {
            throw TimedOut(description: "postgres-test-server \(arguments) failed: \(outcome.output)")
        }
        return outcome.output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test func aServerThatGoesAwayLosesNothingAndTheLedgerRecoversByItself() async throws {
        let directory = FileManager.default.temporaryDirectory.appending(path: "switchyard-pg-fault-\(UUID().uuidString.prefix(8))")
        let url = try await Self.server(["start", directory.path])
        do {
            try await run(on: try PostgresLocation(url: url), directory: directory)
        } catch {
            _ = try? await Self.server(["stop", directory.path])
            try? FileManager.default.removeItem(at: directory)
            throw error
        }
        _ = try await Self.server(["stop", directory.path])
        try? FileManager.default.removeItem(at: directory)
    }

    private func run(on location: PostgresLocation, directory: URL) async throws {
        // A connection wait long enough for a busy machine to open the ledger, and longer than the flush's time-out,
        // so the flush below fails by its own deadline while the writer still waits.
        try await PostgresLedger.withLedger(location, connectionTimeout: .seconds(3)) { ledger in
            let sink = LedgerEventSink(
                ledger: ledger, instanceID: "fault",
                configuration: .init(
                    flushTimeout: .seconds(1),
                    backoff: LedgerBackoff(initial: .milliseconds(20), maximum: .milliseconds(100))))
            let budgets = PostgresBudgetStore(ledger: ledger, instanceID: "fault", settleAttempts: 1)
            try await withRunningSink(sink) { sink in
                sink.emit(Events.received("before"))
                try await sink.flush()
                let held = try await budgets.reserve(userID: "alice", requestID: "held", amount: 1_000)

                _ = try await Self.server(["stop", directory.path])
                sink.emit(Events.received("during"))
                await #expect {
                    try await sink.flush()
                } throws: { ($0 as? LedgerError)?.code == .unavailable }
                // Once its connection wait ends, the writer says so (the readiness probe answers 503).
                try await waitUntil("the writer reports the ledger unavailable") { !sink.isAvailable }
                await #expect {
                    try await budgets.reserve(userID: "alice", requestID: "refused", amount: 1_000)
                } throws: { ($0 as? LedgerError)?.code == .unavailable }
                // A settlement during the fault is kept, not lost.
                await #expect {
                    try await budgets.settle(held, actualCost: 400)
                } throws: { ($0 as? LedgerError)?.code == .unavailable }

                _ = try await Self.server(["start", directory.path])
                try await waitUntil("the writer commits again") { sink.isAvailable && sink.pendingEventCount == 0 }
                #expect(await budgets.writeParkedSettlements() == 0)
            }
            let requests = try await ledger.rows("SELECT id FROM requests ORDER BY id").map { try $0.decode(String.self) }
            #expect(requests == ["before", "during"])
            #expect(try await budgets.status(userID: "alice").spent == 400)
            #expect(try await budgets.status(userID: "alice").reserved == 0)
            #expect(try await budgets.verify().isEmpty)
        }
    }
}
