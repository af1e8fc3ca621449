import Foundation
import PostgresNIO
import SwitchyardCore
import Testing

@testable import SwitchyardPostgres
@testable import SwitchyardStore

/// The PostgreSQL server goes away under a running ledger and comes back: nothing is lost, nothing hangs, and the
/// ledger recovers without a restart. On a server of its own (scripts/postgres-test-server), stopped and started
/// again on the same port.
@Suite(.timeLimit(.minutes(2)), .enabled(if: LedgerEngine.available.contains(.postgres)))
struct PostgresFaultTests {
    /// scripts/postgres-test-server with `arguments`; its output.
    private static func server(_ arguments: [String]) throws -> String {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        // Output to a file, not a pipe: the server the script starts may hold a pipe open after the script exits.
        let outputFile = FileManager.default.temporaryDirectory.appending(path: "pg-server-\(UUID().uuidString).out")
        FileManager.default.createFile(atPath: outputFile.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: outputFile) }
        let output = try FileHandle(forWritingTo: outputFile)
        defer { try? output.close() }
        let process = Process()
        process.executableURL = root.appending(path: "scripts/postgres-test-server")
        process.arguments = arguments
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        let text = (try? String(contentsOf: outputFile, encoding: .utf8)) ?? ""
        guard process.terminationStatus == 0 else {
            throw TimedOut(description: "postgres-test-server \(arguments) failed: \(text)")
        }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test func aServerThatGoesAwayLosesNothingAndTheLedgerRecoversByItself() async throws {
        let directory = FileManager.default.temporaryDirectory.appending(path: "switchyard-pg-fault-\(UUID().uuidString.prefix(8))")
        let url = try Self.server(["start", directory.path])
        defer {
            _ = try? Self.server(["stop", directory.path])
            try? FileManager.default.removeItem(at: directory)
        }
        let location = try PostgresLocation(url: url)
        try await PostgresLedger.withLedger(location, connectionTimeout: .milliseconds(300)) { ledger in
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

                _ = try Self.server(["stop", directory.path])
                sink.emit(Events.received("during"))
                await #expect {
                    try await sink.flush()
                } throws: { ($0 as? LedgerError)?.code == .unavailable }
                #expect(!sink.isAvailable)
                await #expect {
                    try await budgets.reserve(userID: "alice", requestID: "refused", amount: 1_000)
                } throws: { ($0 as? LedgerError)?.code == .unavailable }
                // A settlement during the fault is kept, not lost.
                await #expect {
                    try await budgets.settle(held, actualCost: 400)
                } throws: { ($0 as? LedgerError)?.code == .unavailable }

                _ = try Self.server(["start", directory.path])
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
