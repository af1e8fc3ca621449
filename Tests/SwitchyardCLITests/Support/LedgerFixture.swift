import Foundation
import Logging
import SwitchyardCore
import SwitchyardServer
import SwitchyardStore

/// A ledger filled by real routing: a `SwitchyardRuntime` in this process routes requests through simulated
/// providers (one that fails and escalates with a fixed seed, one steady, one strong), then closes, and the CLI
/// is run against the file. Tests that only read share ``shared``; tests that change it take a ``copy()``.
struct LedgerFixture: Sendable {
    /// Figures the CLI's reports must reproduce, summed from what the router returned.
    struct Expected: Sendable {
        var requests = 0
        var costByUser: [String: MicroDollars] = [:]
        var requestsByUser: [String: Int] = [:]
        var costByProvider: [String: MicroDollars] = [:]
        var attemptsByProvider: [String: Int] = [:]
        var successesByProvider: [String: Int] = [:]
        var totalCost: MicroDollars = .zero
        var totalAttempts = 0
    }

    let directory: URL
    let configPath: String
    let databasePath: String
    let expected: Expected

    static let users = ["alice", "bob", "carol"]

    /// The configuration the fixture routes with, for tests that run `chat` or `serve` themselves.
    static let configYAML = """
        budgets:
          default_limit_usd: 1.00
        defaults:
          retry:
            max_attempts: 1
        health_checks:
          enabled: false
        providers:
          - name: flaky
            kind: simulated
            quality: 0.4
            models: [flaky-small]
            simulated:
              latency_ms: 0
              failure_rate: 0.4
              escalation_rate: 0.25
              seed: 7
            circuit_breaker:
              failure_threshold: 2
              recovery_timeout_ms: 300000
          - name: steady
            kind: simulated
            quality: 0.7
            models:
              - name: steady-mini
                input_usd_per_mtok: 0.15
                output_usd_per_mtok: 0.60
            simulated:
              latency_ms: 0
              seed: 2
          - name: strong
            kind: simulated
            quality: 0.95
            models:
              - name: strong-large
                input_usd_per_mtok: 3.00
                output_usd_per_mtok: 15.00
            simulated:
              latency_ms: 0
              seed: 3
        routes:
          - name: default
            tiers:
              - name: local
                targets: [flaky/flaky-small]
              - name: cloud
                targets: [steady/steady-mini]
            escalation:
              to: [strong/strong-large]
        """

    /// Built once per test run, on first use.
    static let shared = Task { try await LedgerFixture.make() }

    static func make() async throws -> LedgerFixture {
        let directory = try temporaryDirectory("fixture")
        let configPath = directory.appendingPathComponent("switchyard.yaml").path
        let databasePath = directory.appendingPathComponent("ledger.sqlite").path
        try configYAML.write(toFile: configPath, atomically: true, encoding: .utf8)
        var config = try SwitchyardConfig.load(path: configPath)
        config.database.path = databasePath
        var logger = Logger(label: "fixture")
        logger.logLevel = .error
        let prompts = [
            "Write a short poem about freight trains at dawn.",
            "Fix this Swift function: func add(a: Int, b: Int) -> Int { a - b }",
            "Analyze the trade-offs of write-ahead logging in SQLite.",
            "Say hello.",
        ]
        var expected = Expected()
        try await SwitchyardRuntime.withRuntime(config: config, environment: [:], logger: logger) { runtime in
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await runtime.ledger.run() }
                defer { runtime.ledger.finish() }
                for index in 0..<24 {
                    let user = users[index % users.count]
                    let request = RoutingRequest(
                        id: "fixture-\(index)", userID: user, model: index % 8 == 7 ? "steady/steady-mini" : "",
                        chat: ChatRequest(model: "", messages: [.user(prompts[index % prompts.count])]))
                    let attempts: [AttemptFinished]
                    do {
                        attempts = try await runtime.router.route(request).attempts
                    } catch let error as RoutingError {
                        attempts = error.attempts
                    }
                    expected.record(user: user, attempts: attempts)
                }
                runtime.ledger.finish()
                try await group.waitForAll()
            }
        }
        return LedgerFixture(
            directory: directory, configPath: configPath, databasePath: databasePath, expected: expected)
    }

    /// A private copy of the ledger file, for a test that changes it.
    func copy() throws -> String {
        let target = try Self.temporaryDirectory("copy").appendingPathComponent("ledger.sqlite").path
        try FileManager.default.copyItem(atPath: databasePath, toPath: target)
        for suffix in ["-wal", "-shm"] where FileManager.default.fileExists(atPath: databasePath + suffix) {
            try FileManager.default.copyItem(atPath: databasePath + suffix, toPath: target + suffix)
        }
        return target
    }

    static func temporaryDirectory(_ name: String) throws -> URL {
        let url = runDirectory.appendingPathComponent("\(name)-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// This test run's scratch directory under `$TMPDIR/switchyard-cli-tests`. Runs leave theirs behind (the shared
    /// fixture lives there until the process exits); each run removes those of runs older than an hour.
    static let runDirectory: URL = {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent(
            "switchyard-cli-tests", isDirectory: true)
        let stale = Date().addingTimeInterval(-3600)
        for entry in (try? FileManager.default.contentsOfDirectory(at: root, includingPropertiesForKeys: nil)) ?? [] {
            let modified = (try? FileManager.default.attributesOfItem(atPath: entry.path))?[.modificationDate] as? Date
            if let modified, modified < stale { try? FileManager.default.removeItem(at: entry) }
        }
        return root.appendingPathComponent("run-\(UUID().uuidString)", isDirectory: true)
    }()
}

extension LedgerFixture.Expected {
    mutating func record(user: String, attempts: [AttemptFinished]) {
        guard !attempts.isEmpty else { return }
        requests += 1
        requestsByUser[user, default: 0] += 1
        for attempt in attempts {
            costByUser[user, default: .zero] += attempt.cost
            costByProvider[attempt.provider, default: .zero] += attempt.cost
            attemptsByProvider[attempt.provider, default: 0] += 1
            if attempt.outcome == .success { successesByProvider[attempt.provider, default: 0] += 1 }
            totalCost += attempt.cost
            totalAttempts += 1
        }
    }
}
