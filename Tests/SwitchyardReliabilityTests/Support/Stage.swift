import Foundation
import Synchronization
import Testing

/// One test's world: a scratch directory, a fake upstream, a configuration and a ledger file, and the
/// `switchyard serve` process running on them.
final class Stage: @unchecked Sendable {
    // Mutated only by the test that owns the stage (restarts), never concurrently.
    let upstream: FakeUpstream
    let configPath: String
    let databasePath: String
    private(set) var server: ServerProcess
    var ledger: Ledger { Ledger(path: databasePath) }
    var port: Int { server.port }

    private init(upstream: FakeUpstream, configPath: String, databasePath: String, server: ServerProcess) {
        self.upstream = upstream
        self.configPath = configPath
        self.databasePath = databasePath
        self.server = server
    }

    /// Runs `body` against a fresh server whose configuration `config` writes (given the upstream, for base URLs),
    /// then stops everything and removes the scratch directory.
    ///
    /// - Parameter databaseDirectory: where the ledger file goes (a tmpfs for the full-disk test); default the
    ///   scratch directory.
    static func run<T>(
        _ name: String,
        databaseDirectory: URL? = nil,
        config: (FakeUpstream) async throws -> String,
        _ body: (Stage) async throws -> T
    ) async throws -> T {
        let directory = try scratchDirectory(name)
        defer { try? FileManager.default.removeItem(at: directory) }
        let upstream = try await FakeUpstream.start()
        let result: Result<T, any Error>
        do {
            let configPath = directory.appendingPathComponent("switchyard.yaml").path
            let databasePath = (databaseDirectory ?? directory).appendingPathComponent("ledger.sqlite").path
            try (try await config(upstream)).write(toFile: configPath, atomically: true, encoding: .utf8)
            let server = try await ServerProcess.start(config: configPath, database: databasePath)
            let stage = Stage(upstream: upstream, configPath: configPath, databasePath: databasePath, server: server)
            do {
                result = .success(try await body(stage))
            } catch {
                result = .failure(error)
            }
            await stage.server.stop()
        } catch {
            result = .failure(error)
        }
        await upstream.shutdown()
        return try result.get()
    }

    /// Kills the server with SIGKILL: a crash.
    func crash() async {
        await server.kill9()
    }

    /// Starts a new server on the same configuration and ledger file (after ``crash()``).
    func restart() async throws {
        server = try await ServerProcess.start(config: configPath, database: databasePath)
    }

    /// The server still answers `GET /healthz` with 200.
    func isAlive() async -> Bool {
        guard server.isRunning else { return false }
        return (try? await RawHTTP.get(port: port, path: "/healthz", timeout: .seconds(5)).status) == 200
    }

    /// A description of the server's state for failure messages: alive or not, how it crashed if it did, and the
    /// end of its log. (Crash backtraces are unsymbolicated unless `SWIFT_BACKTRACE` says otherwise.)
    var postmortem: String {
        let log = server.log
        var text = "server \(server.isRunning ? "running" : "DEAD")"
        if let crash = log.range(of: "Fatal error") ?? log.range(of: "*** Signal") {
            text += "; crash:\n\(log[crash.lowerBound...].prefix(1200))\n…"
        }
        return text + "\nlog tail:\n\(log.suffix(1500))"
    }

    /// Waits until no request of the ledger is `in_progress` (every request finished and was recorded).
    func waitUntilSettled(timeout: Duration = .seconds(15)) async throws {
        try await eventually("no request in_progress", timeout: timeout) {
            try ledger.count("SELECT count(*) FROM requests WHERE status = 'in_progress'") == 0
        }
    }

    /// Waits until request `id` has finished in the ledger and returns its row.
    func finishedRequest(_ id: String, timeout: Duration = .seconds(15)) async throws -> Ledger.RequestRow {
        var found: Ledger.RequestRow?
        try await eventually("request \(id) finished in the ledger", timeout: timeout) {
            found = try ledger.request(id)
            return found.map { $0.status != "in_progress" } ?? false
        }
        return found!
    }

    static func scratchDirectory(_ name: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent(
            "switchyard-reliability-\(name)-\(UUID().uuidString.prefix(8))", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

/// Polls `condition` every 10 ms until it holds; throws after `timeout`.
func eventually(
    _ what: String, timeout: Duration = .seconds(10), _ condition: () async throws -> Bool
) async throws {
    let deadline = ContinuousClock.now + timeout
    var lastError: (any Error)?
    while ContinuousClock.now < deadline {
        do {
            if try await condition() { return }
        } catch {
            lastError = error
        }
        try await Task.sleep(for: .milliseconds(10))
    }
    throw TestFailure(
        "timed out after \(timeout) waiting for: \(what)\(lastError.map { " (last error: \($0))" } ?? "")")
}

/// The YAML every stage starts with: loopback, no background probes (they would call the upstream).
/// - Parameter server: more lines of the `server` section, indented by two spaces.
func baseConfig(_ extra: String = "", server: String = "") -> String {
    """
    server:
      host: 127.0.0.1
      port: 0
    \(server)
    health_checks:
      enabled: false
    \(extra)
    """
}

/// A request body for `POST /v1/chat/completions`.
func chatBody(
    _ prompt: String = "hello", model: String = "", user: String = "alice", stream: Bool = false,
    maxTokens: Int? = nil, switchyard: String? = nil
) -> String {
    var fields = [
        #""model": \#(jsonString(model))"#,
        #""messages": [{"role": "user", "content": \#(jsonString(prompt))}]"#,
        #""user": \#(jsonString(user))"#,
    ]
    if stream { fields.append(#""stream": true, "stream_options": {"include_usage": true}"#) }
    if let maxTokens { fields.append(#""max_tokens": \#(maxTokens)"#) }
    if let switchyard { fields.append(#""switchyard": \#(switchyard)"#) }
    return "{" + fields.joined(separator: ", ") + "}"
}

/// Figures for the README's reliability section: one line per test on stdout, `[reliability-figures] key=N ...`,
/// which `Tests/SwitchyardReliabilityTests/figures.sh` adds up.
enum Figures {
    static func record(_ test: String, _ figures: KeyValuePairs<String, Int>) {
        let fields = figures.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        print("[reliability-figures] test=\(test) \(fields)")
    }
}

/// A flag that can be shared by tasks.
final class Flag: Sendable {
    private let value = Atomic<Bool>(false)
    func set() { value.store(true, ordering: .relaxed) }
    var isSet: Bool { value.load(ordering: .relaxed) }
}

/// A small, fast, seeded generator (SplitMix64), so every random choice of a run can be replayed.
struct SeededRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Every test of the target runs one after another (`.serialized`): they time small configured time-outs on a
/// 2-core machine, so they should not compete with each other for it.
@Suite("Reliability (switchyard serve end to end)", .serialized)
struct Reliability {}
