import Foundation
import Logging
import SwitchyardCore
import SwitchyardTesting
import Synchronization
import Testing

@testable import SwitchyardStore

/// The ledger writer's commit hook (`onCommit`): one report per transaction it tried, with its writes, its duration
/// on the writer's clock and how it ended (what the service's commit-latency metrics are made of).
@Suite(.timeLimit(.minutes(1))) struct LedgerCommitReportTests {
    /// Collects the reports, in order.
    final class Reports: Sendable {
        private let storage = Mutex<[LedgerCommitReport]>([])
        var all: [LedgerCommitReport] { storage.withLock { $0 } }
        func append(_ report: LedgerCommitReport) { storage.withLock { $0.append(report) } }
    }

    /// A committer that takes `duration` on `clock` per transaction, and fails the ones `verdict` says.
    final class ScriptedCommitter: LedgerCommitter {
        enum Verdict { case commit, fault, reject }
        struct Fault: Error {}
        struct Rejection: Error {}

        let clock: ManualClock
        let duration: @Sendable (Verdict) -> Duration
        let verdict: @Sendable (_ writes: [LedgerWrite], _ call: Int) -> Verdict
        private let calls = Mutex(0)

        init(
            clock: ManualClock, duration: @escaping @Sendable (Verdict) -> Duration = { _ in .milliseconds(7) },
            verdict: @escaping @Sendable (_ writes: [LedgerWrite], _ call: Int) -> Verdict = { _, _ in .commit }
        ) {
            self.clock = clock
            self.duration = duration
            self.verdict = verdict
        }

        var location: String { "scripted" }

        func commit(_ writes: [LedgerWrite]) async throws -> [Result<BudgetWrite.Outcome, any Error>] {
            let call = calls.withLock { calls in
                calls += 1
                return calls
            }
            let verdict = verdict(writes, call)
            clock.advance(by: duration(verdict))
            switch verdict {
            case .commit: return []
            case .fault: throw Fault()
            case .reject: throw Rejection()
            }
        }

        func isRetryable(_ error: any Error) -> Bool { error is Fault }
    }

    private static func received(_ id: String) -> RouterEvent { Events.received(id) }
    /// The writer warns of faults and rejections; these tests cause them on purpose.
    private static let quiet = Logger(label: "quiet", factory: { _ in SwiftLogNoOpLogHandler() })

    @Test func eachCommitIsReportedWithItsWritesAndItsDurationOnTheWritersClock() async throws {
        let clock = ManualClock()
        let reports = Reports()
        let sink = LedgerEventSink(
            committer: ScriptedCommitter(clock: clock), clock: clock, onCommit: { reports.append($0) })
        // Emitted before the writer runs: one batch of three.
        for id in ["r1", "r2", "r3"] { sink.emit(Self.received(id)) }
        try await withRunningSink(sink) { sink in
            try await waitUntil("the first batch is reported") { reports.all.count == 1 }
            sink.emit(Self.received("r4"))
            try await waitUntil("the second batch is reported") { reports.all.count == 2 }
        }
        #expect(
            reports.all == [
                LedgerCommitReport(writes: 3, duration: .milliseconds(7), outcome: .committed),
                LedgerCommitReport(writes: 1, duration: .milliseconds(7), outcome: .committed),
            ])
    }

    @Test func aFaultIsReportedAsFailedThenTheRetryAsCommitted() async throws {
        let clock = ManualClock()
        let reports = Reports()
        let committer = ScriptedCommitter(
            clock: clock, duration: { $0 == .fault ? .milliseconds(30) : .milliseconds(2) },
            verdict: { _, call in call == 1 ? .fault : .commit })
        let sink = LedgerEventSink(
            committer: committer, clock: clock, logger: Self.quiet, onCommit: { reports.append($0) })
        for id in ["r1", "r2"] { sink.emit(Self.received(id)) }
        try await withRunningSink(sink) { sink in
            // The writer backs off on the clock after the fault.
            await clock.waitForSleepers(1)
            #expect(reports.all == [LedgerCommitReport(writes: 2, duration: .milliseconds(30), outcome: .failed)])
            clock.advance(by: LedgerBackoff().delay(afterFailures: 1))
            try await waitUntil("the retry is reported") { reports.all.count == 2 }
        }
        #expect(reports.all.last == LedgerCommitReport(writes: 2, duration: .milliseconds(2), outcome: .committed))
    }

    @Test func aRejectedBatchIsReportedThenEachOfItsWritesOnItsOwn() async throws {
        let clock = ManualClock()
        let reports = Reports()
        let committer = ScriptedCommitter(
            clock: clock, duration: { _ in .milliseconds(1) },
            verdict: { writes, _ in
                let bad = writes.contains { if case .event(let event) = $0 { event.requestID == "bad" } else { false } }
                return bad ? .reject : .commit
            })
        let sink = LedgerEventSink(
            committer: committer, clock: clock, logger: Self.quiet, onCommit: { reports.append($0) })
        for id in ["r1", "bad", "r2"] { sink.emit(Self.received(id)) }
        try await withRunningSink(sink) { _ in
            try await waitUntil("every write is reported") { reports.all.count == 4 }
        }
        #expect(reports.all.map(\.outcome) == [.rejected, .committed, .rejected, .committed])
        #expect(reports.all.map(\.writes) == [3, 1, 1, 1])
        #expect(sink.health.droppedEvents == 1)
    }

    @Test func theSQLiteWriterReportsEveryEventItCommits() async throws {
        try await withLedger { database in
            let reports = Reports()
            let sink = LedgerEventSink(database: database, onCommit: { reports.append($0) })
            try await withRunningSink(sink) { sink in
                for index in 1...50 { sink.emit(Self.received("r\(index)")) }
                try await sink.flush()
            }
            #expect(!reports.all.isEmpty)
            #expect(reports.all.allSatisfy { $0.outcome == .committed && $0.duration > .zero })
            #expect(reports.all.map(\.writes).reduce(0, +) == 50)
            #expect(try await database.count("requests") == 50)
        }
    }
}
