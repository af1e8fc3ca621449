import Foundation
import GRDB
import SwitchyardCore
import Testing

@testable import SwitchyardStore

@Suite(.timeLimit(.minutes(1))) struct LedgerEventSinkTests {
    @Test func everyEventTypeLandsInItsTable() async throws {
        try await withLedger { database in
            try await withRunningSink(LedgerEventSink(database: database)) { sink in
                sink.emit(Events.received("r1", user: "alice"))
                sink.emit(.queued(Queued(requestID: "r1", queueLength: 3, at: testDate(0.1))))
                sink.emit(
                    .targetSkipped(
                        TargetSkipped(
                            requestID: "r1", tier: "primary", provider: "p2", model: "m2", reason: .breakerOpen,
                            at: testDate(0.2))))
                sink.emit(Events.started("r1", seq: 1, provider: "p1", model: "m1", at: testDate(0.3)))
                sink.emit(
                    Events.finished(
                        "r1", seq: 1, provider: "p1", model: "m1", outcome: .escalated, cost: 40, at: testDate(0.3)))
                sink.emit(
                    .escalated(
                        Escalation(
                            requestID: "r1", fromProvider: "p1", fromModel: "m1", toProvider: "p3", toModel: "m3",
                            at: testDate(0.5))))
                sink.emit(
                    Events.started("r1", seq: 2, provider: "p3", model: "m3", at: testDate(0.6), escalation: true))
                sink.emit(Events.breaker("p2", .closed, .open, at: testDate(0.7), openUntil: testDate(30.7)))
                sink.emit(
                    Events.finished(
                        "r1", seq: 2, provider: "p3", model: "m3", outcome: .success, cost: 900, latencyMs: 321,
                        at: testDate(0.6), escalation: true))
                sink.emit(
                    Events.requestFinished(
                        "r1", user: "alice", provider: "p3", model: "m3", cost: 940, attempts: 2, escalated: true,
                        at: testDate(1)))
                try await sink.flush()
            }

            let request = try await database.query(
                """
                SELECT user_id, route, requested_model, priority, classification, stream, status, provider, model,
                       prompt_tokens, completion_tokens, cost_usd_micros, latency_ms, error_code, attempt_count,
                       escalated, created_at, finished_at
                FROM requests
                """)
            #expect(
                request.rows == [
                    [
                        .text("alice"), .text("default"), .text("auto"), .text("cost"), .text("code"), .integer(0),
                        .text("success"), .text("p3"), .text("m3"), .integer(10), .integer(20), .integer(940),
                        .integer(250), .null, .integer(2), .integer(1), .text("2025-06-15 12:00:00.000"),
                        .text("2025-06-15 12:00:01.000"),
                    ]
                ])

            let attempts = try await database.query(
                """
                SELECT seq, provider, model, is_escalation, outcome, http_status, cost_usd_micros, latency_ms,
                       prompt_tokens, started_at
                FROM attempts ORDER BY seq
                """)
            #expect(
                attempts.rows == [
                    [
                        .integer(1), .text("p1"), .text("m1"), .integer(0), .text("escalated"), .integer(200),
                        .integer(40), .integer(100), .integer(10), .text("2025-06-15 12:00:00.300"),
                    ],
                    [
                        .integer(2), .text("p3"), .text("m3"), .integer(1), .text("success"), .integer(200),
                        .integer(900), .integer(321), .integer(10), .text("2025-06-15 12:00:00.600"),
                    ],
                ])

            let events = try await database.query(
                "SELECT kind, provider, to_provider, reason, queue_length FROM request_events ORDER BY id")
            #expect(
                events.rows == [
                    [.text("queued"), .null, .null, .null, .integer(3)],
                    [.text("target_skipped"), .text("p2"), .null, .text("breaker_open"), .null],
                    [.text("escalated"), .text("p1"), .text("p3"), .null, .null],
                ])

            let transitions = try await database.query(
                "SELECT provider, from_state, to_state, reason, at, open_until FROM breaker_transitions")
            #expect(
                transitions.rows == [
                    [
                        .text("p2"), .text("closed"), .text("open"), .text("test"), .text("2025-06-15 12:00:00.700"),
                        .text("2025-06-15 12:00:30.700"),
                    ]
                ])
        }
    }

    @Test func aStartedAttemptIsVisibleUntilItFinishes() async throws {
        try await withLedger { database in
            try await withRunningSink(LedgerEventSink(database: database)) { sink in
                sink.emit(Events.started("r1", seq: 1, provider: "p", model: "m"))
                try await sink.flush()
                #expect(try await database.query("SELECT outcome FROM attempts").rows == [[.text("started")]])
                sink.emit(Events.finished("r1", seq: 1, provider: "p", model: "m", outcome: .timeout))
                // A replayed start does not undo the finish.
                sink.emit(Events.started("r1", seq: 1, provider: "p", model: "m"))
                try await sink.flush()
                #expect(try await database.query("SELECT outcome FROM attempts").rows == [[.text("timeout")]])
            }
        }
    }

    @Test func flushedEventsAreVisibleToAnotherConnectionAfterReopening() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.appending(path: "ledger.sqlite").path
            let database = try LedgerDatabase(path: path)
            let sink = LedgerEventSink(database: database)
            try await withRunningSink(sink) { sink in
                for index in 0..<500 {
                    sink.emit(Events.received("r\(index)"))
                    sink.emit(
                        Events.finished("r\(index)", seq: 1, provider: "p", model: "m", outcome: .success, cost: 7))
                }
                try await sink.flush()
                // A second, independent pool on the same file sees every row while the first is still open.
                let other = try LedgerDatabase(path: path)
                #expect(try await other.count("requests") == 500)
                #expect(try await other.integer("SELECT sum(cost_usd_micros) FROM attempts") == 3500)
                try other.close()
            }
            try database.close()
            let reopened = try LedgerDatabase(path: path)
            #expect(try await reopened.count("attempts") == 500)
        }
    }

    @Test func largeBacklogsAreSplitIntoBatches() async throws {
        try await withLedger { database in
            // A batching test, not a latency one: a flush deadline far above the 10 s default, so a machine busy
            // with the other suites at the start of a run cannot fail it.
            let sink = LedgerEventSink(
                database: database, configuration: .init(maxBatchSize: 7, flushTimeout: .seconds(120)))
            for index in 0..<100 { sink.emit(Events.received("r\(index)")) }
            #expect(sink.pendingEventCount == 100)
            try await withRunningSink(sink) { sink in
                try await sink.flush()
                #expect(sink.pendingEventCount == 0)
            }
            #expect(try await database.count("requests") == 100)
        }
    }

    @Test func aGroupCommitWindowStillFlushes() async throws {
        try await withLedger { database in
            let sink = LedgerEventSink(database: database, configuration: .init(window: .milliseconds(2)))
            try await withRunningSink(sink) { sink in
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for index in 0..<50 {
                        group.addTask {
                            sink.emit(Events.received("r\(index)"))
                            try await sink.flush()
                        }
                    }
                    try await group.waitForAll()
                }
            }
            #expect(try await database.count("requests") == 50)
        }
    }

    @Test func flushWithNothingPendingReturnsAtOnce() async throws {
        try await withLedger { database in
            let sink = LedgerEventSink(database: database)
            try await sink.flush()  // no writer running, nothing to wait for
        }
    }

    @Test func flushWaitsForTheWriterToStart() async throws {
        try await withLedger { database in
            let sink = LedgerEventSink(database: database)
            sink.emit(Events.received("early"))
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await sink.flush() }
                group.addTask { try await sink.run() }
                try await group.next()  // the flush, since run() only ends on finish()
                sink.finish()
                try await group.waitForAll()
            }
            #expect(try await database.count("requests") == 1)
        }
    }

    @Test func cancellingTheWriterDrainsEverythingQueued() async throws {
        try await withLedger { database in
            let sink = LedgerEventSink(database: database)
            let writer = Task { try await sink.run() }
            for index in 0..<1000 { sink.emit(Events.received("r\(index)")) }
            writer.cancel()
            try await writer.value
            #expect(try await database.count("requests") == 1000)
            #expect(sink.pendingEventCount == 0)
        }
    }

    @Test func eventsAfterShutdownAreReportedAsNotRecorded() async throws {
        try await withLedger { database in
            let sink = LedgerEventSink(database: database)
            try await withRunningSink(sink) { _ in }
            sink.emit(Events.received("late"))
            await #expect { try await sink.flush() } throws: { ($0 as? LedgerError)?.code == .writerStopped }
            await #expect { try await sink.run() } throws: { ($0 as? LedgerError)?.code == .writerAlreadyRunning }
        }
    }

    @Test func breakerStateRoundTripsAcrossARestart() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.appending(path: "ledger.sqlite").path
            let database = try LedgerDatabase(path: path)
            #expect(try database.lastBreakerTransitions().isEmpty)
            try await withRunningSink(LedgerEventSink(database: database)) { sink in
                sink.emit(Events.breaker("alpha", .closed, .open, at: testDate(0), openUntil: testDate(30)))
                sink.emit(Events.breaker("alpha", .open, .halfOpen, at: testDate(30)))
                sink.emit(Events.breaker("alpha", .halfOpen, .open, at: testDate(31), openUntil: testDate(91.5)))
                sink.emit(Events.breaker("beta", .closed, .open, at: testDate(5), openUntil: testDate(35)))
                sink.emit(Events.breaker("beta", .open, .halfOpen, at: testDate(35)))
                sink.emit(Events.breaker("beta", .halfOpen, .closed, at: testDate(36)))
                try await sink.flush()
            }
            try database.close()

            let restarted = try LedgerDatabase(path: path)
            let transitions = try restarted.lastBreakerTransitions()
            #expect(
                transitions == [
                    BreakerTransition(
                        provider: "alpha", from: .halfOpen, to: .open, reason: "test", at: testDate(31),
                        openUntil: testDate(91.5)),
                    BreakerTransition(provider: "beta", from: .halfOpen, to: .closed, reason: "test", at: testDate(36)),
                ])
        }
    }
}
