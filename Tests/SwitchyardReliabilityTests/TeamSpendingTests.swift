import Foundation
import Testing

extension Reliability {
    @Suite("Concurrent spending across a team's keys and users", .timeLimit(.minutes(2)))
    struct TeamSpendingTests {
        static let requests = 300
        static let concurrency = 32
        static let seed: UInt64 = 0x5EED_0013

        @Test("300 concurrent requests over a team's user keys and a service key naming 10 users: no scope overspent")
        func teamSpending() async throws {
            try await Stage.run(
                "team-spending",
                // Each user's $0.08 binds after about 13 answers, the service key's $0.06 after about 10, the team's
                // monthly $0.25 after about 40.
                config: { upstream in shopConfig(upstream, budgets: "budgets: {default_limit_usd: 0.08}") }
            ) { stage in
                let common = ["--config", stage.configPath, "--db", stage.databasePath]
                var keys: [String] = []
                for (user, extra) in [("k0", []), ("k1", []), ("k2", []), ("svc", ["--service"])] {
                    let created = try await Switchyard.run(
                        ["keys", "create", "--user", user, "--team", "research"] + extra + common)
                    #expect(created.status == 0, "\(created)")
                    keys.append(created.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
                }
                for arguments in [
                    ["budget", "set", "--team", "research", "--period", "monthly", "--limit-usd", "0.25"],
                    ["budget", "set", "--key", "4", "--limit-usd", "0.06"],
                ] {
                    let set = try await Switchyard.run(arguments + common)
                    #expect(set.status == 0, "\(set)")
                }

                let plans = ClientPlan.draw(Self.requests, seed: Self.seed, hangUpShare: 0.15)
                let port = stage.port
                let bearers = keys
                let answers = await concurrently(Self.requests, width: Self.concurrency) { index in
                    let plan = plans[index]
                    let key = bearers[index % 4]
                    // The service key names one of ten end users; a user key names nobody.
                    let user = index % 4 == 3 ? "e\(index % 10)" : ""
                    return await attempt {
                        try await RawHTTP.post(
                            port: port, json: chatBody("spend \(index)", user: user, stream: plan.stream),
                            headers: [("authorization", "Bearer \(key)")], hangUp: plan.hangUp, timeout: .seconds(30))
                    }
                }
                var ok = 0
                var refusedBy: [String: Int] = [:]
                var wrong: [String] = []
                for (index, result) in answers.enumerated() {
                    switch result {
                    case .success(let answer) where answer.hungUp: break
                    case .success(let answer) where answer.status == 200: ok += 1
                    case .success(let answer) where answer.status == 402 && answer.errorCode == "budget_exceeded":
                        let budget = (answer.json?["error"] as? [String: Any])?["budget"] as? [String: Any]
                        refusedBy[budget?["scope"] as? String ?? "?", default: 0] += 1
                    case .success(let answer): wrong.append("#\(index): \(answer)")
                    case .failure(let error): wrong.append("#\(index): no answer: \(error)")
                    }
                }
                #expect(wrong.isEmpty, "\(wrong.count) other answers:\n\(wrong.prefix(10).joined(separator: "\n"))")
                #expect(ok > 0 && refusedBy.count >= 2, "the limits must bind: \(ok) answered, refused \(refusedBy)")
                #expect(await stage.isAlive(), "\(stage.postmortem)")

                try await stage.waitUntilSettled(timeout: .seconds(30))
                let ledger = stage.ledger
                func spent(_ column: String, _ id: String) throws -> Int {
                    try ledger.count(
                        "SELECT coalesce(sum(amount_usd_micros), 0) FROM ledger WHERE kind = 'settle' AND \(column) = '\(id)'")
                }
                let team = try spent("team", "research")
                #expect(team <= 250_000, "the team spent \(team) µ$ of $0.25")
                #expect(try spent("key_id", "4") <= 60_000, "the service key passed its $0.06")
                for user in ["k0", "k1", "k2"] + (0..<10).map({ "e\($0)" }) {
                    #expect(try spent("user_id", user) <= 80_000, "\(user) passed its $0.08")
                }
                #expect(try ledger.count("SELECT count(*) FROM ledger WHERE kind = 'reserve' AND team IS NULL") == 0)
                #expect(try ledger.count("SELECT coalesce(sum(reserved_usd_micros), 0) FROM budget_scopes") == 0)
                let verify = try await Switchyard.run(["budget", "verify"] + common)
                #expect(verify.status == 0, "\(verify)")
                print("team spending: \(ok) answered, refused \(refusedBy); the team spent \(team) µ$")
            }
        }
    }
}
