import Foundation
import Synchronization
import SwitchyardTesting
import Testing

extension Reliability {
    /// Three `switchyard serve` processes on one PostgreSQL database: one budget, hundreds of concurrent requests
    /// spread across them, one instance killed with SIGKILL in the middle. Runs where the suite has a PostgreSQL
    /// server (scripts/test starts one; `SWITCHYARD_TEST_POSTGRES_URL`).
    @Suite(
        "Several instances on one PostgreSQL ledger", .timeLimit(.minutes(3)),
        .enabled(if: PostgresServer.url != nil || PostgresServer.isRequired))
    struct MultiInstanceTests {
        static let requests = 300
        static let concurrency = 30

        @Test("3 instances, 300 concurrent requests against $1.00, one killed: spend ≤ limit, its reservations settled")
        func threeInstancesShareOneBudgetAndSurviveAKill() async throws {
            let database = try await PostgresServer.temporaryDatabase()
            let directory = try Stage.scratchDirectory("multi-instance")
            defer { try? FileManager.default.removeItem(at: directory) }
            let upstream = try await FakeUpstream.start()
            var servers: [ServerProcess] = []
            do {
                // A short lease, so that the survivors settle the dead instance's reservations within seconds.
                let configPath = directory.appendingPathComponent("switchyard.yaml").path
                let config = shopConfig(upstream, budgets: "budgets: {default_limit_usd: 1.00}")
                    + "\ndatabase: {lease_heartbeat_ms: 200, lease_timeout_ms: 3000}\n"
                try config.write(toFile: configPath, atomically: true, encoding: .utf8)
                for _ in 0..<3 { servers.append(try await ServerProcess.start(config: configPath, database: database)) }
                let ports = servers.map(\.port)
                let killed = Mutex(false)
                let victim = servers[1]

                let answers = await concurrently(Self.requests, width: Self.concurrency) { index in
                    // After a third of the requests, instance 1 dies; later requests go to the survivors only.
                    if index == Self.requests / 3, !killed.withLock({ $0 }) {
                        killed.withLock { $0 = true }
                        await victim.kill9()
                    }
                    let alive = killed.withLock { $0 } ? [ports[0], ports[2]] : ports
                    let port = alive[index % alive.count]
                    return await attempt {
                        try await RawHTTP.post(
                            port: port, json: chatBody("spend \(index)", user: "spender", stream: index % 2 == 0),
                            timeout: .seconds(30))
                    }
                }
                var ok = 0
                var refused = 0
                var lost = 0
                for result in answers {
                    switch result {
                    case .success(let answer) where answer.status == 200: ok += 1
                    case .success(let answer) where answer.status == 402: refused += 1
                    default: lost += 1  // in flight on the killed instance
                    }
                }
                #expect(ok > 0 && refused > 0, "the limit must bind: \(ok) answered, \(refused) refused, \(lost) lost")
                #expect(lost <= Self.concurrency, "only requests in flight on the killed instance may be lost: \(lost)")
                for server in [servers[0], servers[2]] {
                    #expect((try? await RawHTTP.get(port: server.port, path: "/healthz").status) == 200, "\(server.log.suffix(800))")
                }

                // The survivors settle the dead instance's open reservations once its lease expires.
                // (A survivor whose heartbeat a loaded machine delays past the lease may be resolved too: money-safe,
                // its in-flight reservations are then settled at their reserved amount.)
                try await eventually("the killed instance's lease resolved", timeout: .seconds(30)) {
                    Int(try await PostgresServer.scalar(
                        "SELECT count(*) FROM instances WHERE resolved_at IS NOT NULL", database: database)) ?? 0 >= 1
                }
                try await eventually("no reservation open", timeout: .seconds(30)) {
                    try await PostgresServer.scalar(
                        "SELECT reserved_usd_micros FROM budgets WHERE user_id = 'spender'", database: database) == "0"
                }
                let spent = try #require(
                    Int64(try await PostgresServer.scalar(
                        "SELECT spent_usd_micros FROM budgets WHERE user_id = 'spender'", database: database)))
                #expect(spent <= 1_000_000, "settled spend \(spent) µ$ passed the $1.00 limit")
                let instances = try await PostgresServer.scalar(
                    "SELECT count(DISTINCT instance_id) FROM ledger WHERE kind = 'reserve'", database: database)
                #expect(instances == "3", "every instance reserved")
                let verify = try await Switchyard.run(["budget", "verify", "--config", configPath, "--db", database])
                #expect(verify.status == 0, "\(verify)")
                print("multi-instance: \(ok) answered, \(refused) refused, \(lost) lost with the killed instance; spent \(spent) µ$")
            } catch {
                for server in servers { await server.stop() }
                await upstream.shutdown()
                throw error
            }
            for server in servers { await server.stop() }
            await upstream.shutdown()
        }
    }
}

/// The test PostgreSQL server (`SWITCHYARD_TEST_POSTGRES_URL`), driven through `psql`.
enum PostgresServer {
    static let url = ProcessInfo.processInfo.environment["SWITCHYARD_TEST_POSTGRES_URL"]
    static let isRequired = ProcessInfo.processInfo.environment["SWITCHYARD_REQUIRE_POSTGRES"] == "1"

    /// A new database on the server; its URL. (Left behind: the server is a throwaway one.)
    static func temporaryDatabase() async throws -> String {
        guard let url else { throw TestFailure("SWITCHYARD_TEST_POSTGRES_URL is not set; run scripts/test") }
        let name = "multi_" + UUID().uuidString.prefix(8).lowercased()
        _ = try await psql(["-c", "CREATE DATABASE \(name)"], url: url)
        guard let slash = url.lastIndex(of: "/") else { throw TestFailure("odd URL \(url)") }
        return url[..<slash] + "/" + name
    }

    /// The one value `sql` selects, as text.
    static func scalar(_ sql: String, database: String) async throws -> String {
        try await psql(["-tAc", sql], url: database).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private static func psql(_ arguments: [String], url: String) async throws -> String {
        let outcome = try await ChildProcess.run(
            URL(fileURLWithPath: "/usr/bin/env"), ["psql", url, "-v", "ON_ERROR_STOP=1"] + arguments)
        guard outcome.status == 0 else { throw TestFailure("psql \(arguments): \(outcome.output)") }
        return outcome.output
    }
}
