import Foundation
import SwitchyardTesting
import GRDB
import Testing

/// Another connection to the ledger file that takes SQLite's write lock (`BEGIN IMMEDIATE`) and holds it, as an
/// operator's `sqlite3` session or a backup would.
final class LockHolder: Sendable {
    private let queue: DatabaseQueue

    init(path: String) throws {
        var configuration = Configuration()
        configuration.allowsUnsafeTransactions = true  // the transaction outlives one access, on purpose
        configuration.busyMode = .timeout(10)
        queue = try DatabaseQueue(path: path, configuration: configuration)
    }

    func lock() async throws { try await queue.writeWithoutTransaction { try $0.execute(sql: "BEGIN IMMEDIATE") } }
    func release() async throws {
        try await queue.writeWithoutTransaction { try $0.execute(sql: "COMMIT") }
        try queue.close()
    }
}

extension Reliability {
    @Suite(
        "Ledger faults: no provider is called when the ledger cannot record; recovery without a restart",
        .timeLimit(.minutes(1)))
    struct LedgerFaultTests {
        static func config(_ upstream: FakeUpstream) -> String {
            upstream.script("ok") { _, request in .answer(request, "recorded answer") }
            return baseConfig(
                """
                database: {busy_timeout_ms: 100}
                providers:
                  - name: ok
                    kind: openai
                    base_url: \(upstream.baseURL("ok"))
                    models: [{name: m, input_usd_per_mtok: 1.00, output_usd_per_mtok: 2.00}]
                """)
        }

        /// One of each kind of chat request: JSON, streamed, simple API.
        static func chatRequests(_ port: Int, tag: String) async -> [Result<HTTPExchange, any Error>] {
            var results: [Result<HTTPExchange, any Error>] = []
            results.append(
                await attempt {
                    try await RawHTTP.post(port: port, json: chatBody("\(tag) json"), timeout: .seconds(8))
                })
            results.append(
                await attempt {
                    try await RawHTTP.post(
                        port: port, json: chatBody("\(tag) stream", stream: true), timeout: .seconds(8))
                })
            results.append(
                await attempt {
                    try await RawHTTP.post(
                        port: port, path: "/chat/completions", json: #"{"prompt": "\#(tag) simple"}"#,
                        timeout: .seconds(8))
                })
            return results
        }

        /// While the ledger cannot write: every chat request is a quick 503 `ledger_unavailable` with `Retry-After`,
        /// no provider is called, and `/readyz` says not ready.
        static func expectRefusedWhileBroken(_ stage: Stage, tag: String) async -> Int {
            let callsBefore = stage.upstream.totalCalls
            let answers = await chatRequests(stage.port, tag: tag)
            for result in answers {
                switch result {
                case .success(let answer):
                    #expect(answer.status == 503 && answer.errorCode == "ledger_unavailable", "\(answer)")
                    #expect(answer.header("retry-after") != nil, "\(answer)")
                    #expect(answer.elapsed < .seconds(3), "\(answer)")
                case .failure(let error):
                    Issue.record("no answer while the ledger is broken: \(error)\n\(stage.postmortem)")
                }
            }
            let ready = await attempt { try await RawHTTP.get(port: stage.port, path: "/readyz", timeout: .seconds(5)) }
            #expect((try? ready.get().status) == 503, "/readyz while the ledger cannot write: \(ready)")
            #expect(
                stage.upstream.totalCalls == callsBefore, "a provider was called although nothing could be recorded")
            return answers.count
        }

        /// After the cause is gone: ready again, requests answered, nothing left in progress, budgets consistent.
        static func expectRecovered(_ stage: Stage) async throws -> Int {
            try await eventually("/readyz answers 200 again", timeout: .seconds(10)) {
                (try? await RawHTTP.get(port: stage.port, path: "/readyz", timeout: .seconds(2)).status) == 200
            }
            var sent = 0
            try await eventually("a chat request answers 200 again", timeout: .seconds(10)) {
                sent += 1
                return
                    (try? await RawHTTP.post(port: stage.port, json: chatBody("recovered?"), timeout: .seconds(2))
                    .status) == 200
            }
            for result in await chatRequests(stage.port, tag: "after") {
                sent += 1
                #expect((try? result.get().status) == 200, "\(result)")
            }
            try await stage.waitUntilSettled(timeout: .seconds(10))
            let verify = try await Switchyard.run([
                "budget", "verify", "--config", stage.configPath, "--db", stage.databasePath,
            ])
            #expect(verify.status == 0, "\(verify)")
            return sent
        }

        @Test("another connection holds the write lock past busy_timeout_ms, then lets go")
        func lockHeldThenReleased() async throws {
            try await Stage.run("ledger-lock", config: Self.config) { stage in
                let warmUp = try await RawHTTP.post(port: stage.port, json: chatBody("warm up"))
                #expect(warmUp.status == 200, "\(warmUp)")

                let holder = try LockHolder(path: stage.databasePath)
                try await holder.lock()
                let refused = await Self.expectRefusedWhileBroken(stage, tag: "locked")
                try await holder.release()

                let answered = try await Self.expectRecovered(stage)
                #expect(await stage.isAlive())
                Figures.record("ledger-lock", ["requests_under_faults": refused + answered])
            }
        }

        /// Mounting a size-limited tmpfs needs root (CI and the dev machines run as root).
        static let canMountTmpfs: Bool = {
            guard getuid() == 0, let directory = try? Stage.scratchDirectory("tmpfs-probe") else { return false }
            defer { try? FileManager.default.removeItem(at: directory) }
            guard (try? LedgerFaultTests.mountTmpfs(directory, size: "1m")) == true else { return false }
            _ = try? LedgerFaultTests.unmountTmpfs(directory)
            return true
        }()

        @Test(
            "the disk fills up, then space is freed",
            .enabled(
                if: Reliability.LedgerFaultTests.canMountTmpfs,
                "needs permission to mount a tmpfs (root); skipped otherwise"))
        func diskFullThenFreed() async throws {
            let disk = try Stage.scratchDirectory("tmpfs")
            guard try Self.mountTmpfs(disk, size: "8m") else {
                Issue.record("mounting a tmpfs at \(disk.path) failed")
                return
            }
            defer {
                _ = try? Self.unmountTmpfs(disk)
                try? FileManager.default.removeItem(at: disk)
            }
            try await Stage.run("disk-full", databaseDirectory: disk, config: Self.config) { stage in
                let warmUp = try await RawHTTP.post(port: stage.port, json: chatBody("warm up"))
                #expect(warmUp.status == 200, "\(warmUp)")

                let filler = disk.appendingPathComponent("filler").path
                let filled = try Self.fill(filler)
                #expect(filled > 0)
                // The WAL's space already on disk is reused once the checkpointer has copied it: the first commits
                // may still fit. Once the WAL has to grow, the ledger cannot write.
                // Each request writes a few pages, so a bounded number of them reaches the end of that space.
                var full = false
                for attempt in 1...200 where !full {
                    full = (try? await RawHTTP.post(port: stage.port, json: chatBody("fill \(attempt)")))?.status == 503
                }
                try #require(full, "the ledger still wrote after 200 requests on a full disk\n\(stage.postmortem)")
                let refused = await Self.expectRefusedWhileBroken(stage, tag: "full")
                try FileManager.default.removeItem(atPath: filler)

                let answered = try await Self.expectRecovered(stage)
                #expect(await stage.isAlive())
                Figures.record("disk-full", ["requests_under_faults": refused + answered])
            }
        }

        /// Writes `path` until the file system is full; the bytes written.
        static func fill(_ path: String) throws -> Int {
            let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            guard fd >= 0 else { throw TestFailure("cannot create \(path): errno \(errno)") }
            defer { close(fd) }
            var total = 0
            for size in [1 << 20, 4096, 1] {
                let chunk = [UInt8](repeating: 0x5A, count: size)
                while true {
                    let written = chunk.withUnsafeBytes { write(fd, $0.baseAddress, size) }
                    if written <= 0 { break }
                    total += written
                }
            }
            guard errno == ENOSPC else { throw TestFailure("filling \(path) stopped with errno \(errno), not ENOSPC") }
            return total
        }

        static func mountTmpfs(_ directory: URL, size: String) throws -> Bool {
            try run("/bin/mount", ["-t", "tmpfs", "-o", "size=\(size)", "tmpfs", directory.path]) == 0
        }

        static func unmountTmpfs(_ directory: URL) throws -> Bool {
            try run("/bin/umount", [directory.path]) == 0
        }

        private static func run(_ tool: String, _ arguments: [String]) throws -> Int32 {
            let process = TestProcess()
            process.executableURL = URL(fileURLWithPath: tool)
            process.arguments = arguments
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            return process.terminationStatus
        }
    }

    @Suite("One serve per ledger file", .timeLimit(.minutes(1)))
    struct SingleOwnerTests {
        @Test("a second switchyard serve on the same SQLite file exits non-zero at once, saying the ledger is in use")
        func secondServeRefused() async throws {
            try await Stage.run("two-servers", config: LedgerFaultTests.config) { stage in
                let second = try ServerProcess.launch(config: stage.configPath, database: stage.databasePath)
                let status = await ServerProcess.waitForExit(
                    second.process, changes: second.stderr.changes, timeout: .seconds(5))
                if status == nil {
                    kill(second.process.processIdentifier, SIGKILL)
                    second.process.waitUntilExit()
                    Issue.record("the second serve was still running after 5 s:\n\(second.stderr.text)")
                } else {
                    second.process.waitUntilExit()
                    let log = await second.stderr.finished()
                    #expect(second.process.terminationStatus != 0, "\(log)")
                    #expect(log.lowercased().contains("in use"), "the message must say the ledger is in use: \(log)")
                }
                ChildProcesses.unregister(second.process.processIdentifier)
                // The first is unharmed.
                let answer = try await RawHTTP.post(port: stage.port, json: chatBody("still mine"))
                #expect(answer.status == 200, "\(answer)")
            }
        }
    }
}
