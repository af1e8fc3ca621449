import Foundation
import NIOHTTP1
import SwitchyardCore
import SwitchyardServer
import Testing

/// `GET /dashboard` and the reports it draws from, over a socket. The page itself is checked in Chromium by
/// scripts/dashboard-check (run by .ci/run).
@Suite struct DashboardTests {
    /// A provider whose every call fails (its breaker opens at the first failure) ahead of one that answers.
    static let failingFirst = """
        defaults: {circuit_breaker: {failure_threshold: 1}}
        providers:
          - {name: flaky, kind: simulated, retry: {max_attempts: 1}, models: [{name: flaky-1}], \
        simulated: {latency_ms: 0, failure_rate: 1.0, seed: 1}}
        \(Configs.simulated("backup"))
        routes:
          - name: default
            tiers:
              - {name: first, targets: [flaky/flaky-1]}
              - {name: second, targets: [backup/sim-1]}
        """

    @Test func thePageAndItsFilesAreServedFromTheBinary() async throws {
        try await withServer(try testConfig(simulatedYAML)) { server in
            let page = try await server.get("/dashboard")
            #expect(page.status == 200)
            #expect(page.headers["content-type"].first == "text/html; charset=utf-8")
            #expect(page.headers["content-security-policy"].first?.contains("default-src 'none'") == true)
            #expect(page.headers["cache-control"].first == "no-store")
            // On loopback without a key the page is told it may call the admin API at once.
            #expect(page.body.contains(#"<meta name="switchyard-admin" content="open">"#))
            #expect(!page.body.contains("{{admin}}"))
            // Nothing from elsewhere: no CDN, no fonts, no scripts but its own.
            #expect(!page.body.contains("src=\"http") && !page.body.contains("href=\"http"))
            let script = try await server.get("/dashboard/dashboard.js")
            #expect(script.status == 200)
            #expect(script.headers["content-type"].first == "text/javascript; charset=utf-8")
            #expect(script.body.contains("/reports/costs"))
            let style = try await server.get("/dashboard/dashboard.css")
            #expect(style.status == 200)
            #expect(style.headers["content-type"].first == "text/css; charset=utf-8")
        }
    }

    @Test func thePageIsServedWithoutTheKeyButItsFiguresAreNot() async throws {
        let config = try testConfig(simulatedYAML + "\nserver: {admin_key_env: SWITCHYARD_TEST_ADMIN_KEY}\n")
        try await withServer(config, environment: ["SWITCHYARD_TEST_ADMIN_KEY": "s3cret-admin"]) { server in
            let page = try await server.get("/dashboard")
            #expect(page.status == 200)
            #expect(page.body.contains(#"<meta name="switchyard-admin" content="key">"#))
            #expect(!page.body.contains("s3cret"))
            for path in ["/reports/costs", "/reports/breakers", "/reports/requests", "/reports/requests/x", "/budgets"] {
                let refused = try await server.get(path, headers: ["authorization": "Bearer wrong"])
                #expect(refused.status == 401, "\(path)")
                #expect(refused.errorMessage == "wrong admin key", "\(path)")
            }
        }
    }

    @Test func latestRequestsAndATrailShowEveryCall() async throws {
        try await withServer(try testConfig(Self.failingFirst)) { server in
            let first = try await server.post("/v1/chat/completions", chatBody(extra: #""user": "ann""#))
            #expect(first.status == 200)
            let second = try await server.post("/v1/chat/completions", chatBody(extra: #""user": "ben""#))
            #expect(second.status == 200)
            let firstID = try #require(first.headers["x-switchyard-request-id"].first)
            let secondID = try #require(second.headers["x-switchyard-request-id"].first)

            let latest = try await server.get("/reports/requests?limit=10")
            #expect(latest.status == 200)
            let requests = try #require(latest.json?["requests"]?.array)
            #expect(requests.map { $0["id"]?.string } == [secondID, firstID])
            let failedOver = requests[1]
            #expect(failedOver["user"]?.string == "ann")
            #expect(failedOver["status"]?.string == "success")
            #expect(failedOver["provider"]?.string == "backup")
            #expect(failedOver["attempts"]?.array?.map { $0["provider"]?.string } == ["flaky", "backup"])
            #expect(failedOver["attempts"]?[0]?["outcome"]?.string == "error")
            #expect(failedOver["attempts"]?[0]?["http_status"]?.int == 503)
            #expect(failedOver["attempts"]?[1]?["outcome"]?.string == "success")
            // The breaker opened at the first failure: the second request never called flaky.
            #expect(requests[0]["attempts"]?.array?.map { $0["provider"]?.string } == ["backup"])
            let cost = try #require(failedOver["cost_usd_micros"]?.int)
            #expect(cost > 0)
            #expect(failedOver["created_at"]?.string?.hasSuffix("Z") == true)
            #expect(try await server.get("/reports/requests?limit=1&user=ann").json?["requests"]?[0]?["id"]?.string
                == firstID)

            let trail = try await server.get("/reports/requests/\(firstID)")
            #expect(trail.status == 200)
            #expect(trail.json?["request"]?["id"]?.string == firstID)
            #expect(trail.json?["request"]?["attempts"]?.array?.count == 2)
            let money = try #require(trail.json?["money"]?.array)
            let kinds = money.compactMap { $0["kind"]?.string }
            #expect(kinds.contains("settle"))
            let settled = money.first { $0["kind"]?.string == "settle" }?["amount_usd_micros"]?.int
            #expect(settled == cost)
            let skipped = try await server.get("/reports/requests/\(secondID)")
            #expect(skipped.json?["events"]?.array?.contains { $0["kind"]?.string == "target_skipped" } == true)

            let unknown = try await server.get("/reports/requests/sy_nope")
            #expect(unknown.status == 404)
            #expect(unknown.errorCode == "not_found")
            for path in ["/reports/requests?limit=0", "/reports/requests?limit=many", "/reports/breakers?limit=0"] {
                let refused = try await server.get(path)
                #expect(refused.status == 400, "\(path)")
                #expect(refused.json?["error"]?["param"]?.string == "limit", "\(path)")
            }
        }
    }

    @Test func theBreakerTimelineHasTheStateBeforeTheRangeAndEachTransition() async throws {
        try await withServer(try testConfig(Self.failingFirst)) { server in
            #expect(try await server.post("/v1/chat/completions", chatBody()).status == 200)
            let timeline = try await server.get("/reports/breakers")
            #expect(timeline.status == 200)
            #expect(timeline.json?["truncated"] == .bool(false))
            let flaky = try #require(timeline.json?["providers"]?.array?.first { $0["provider"]?.string == "flaky" })
            #expect(flaky["state_at_since"]?.string == "closed")
            let transition = try #require(flaky["transitions"]?[0])
            #expect(transition["from"]?.string == "closed")
            #expect(transition["to"]?.string == "open")
            #expect(transition["open_until"]?.string?.hasSuffix("Z") == true)
            let at = try #require(transition["at"]?.string)

            // A range that starts after the transition: the breaker was already open when it began.
            let after = Date().addingTimeInterval(1).formatted(.iso8601)
            let later = try await server.get("/reports/breakers?since=\(after)")
            let lane = try #require(later.json?["providers"]?.array?.first { $0["provider"]?.string == "flaky" })
            #expect(lane["state_at_since"]?.string == "open")
            #expect(lane["transitions"]?.array?.isEmpty == true)
            #expect(try await server.get("/reports/breakers?limit=1&until=\(after)").json?["providers"]?[0]?[
                "transitions"]?[0]?["at"]?.string == at)
        }
    }

    @Test func spendByTheHour() async throws {
        try await withServer(try testConfig(simulatedYAML)) { server in
            #expect(try await server.post("/v1/chat/completions", chatBody()).status == 200)
            let report = try await server.get("/reports/costs?group_by=hour,provider")
            #expect(report.status == 200)
            let hour = try #require(report.json?["rows"]?[0]?["hour"]?.string)
            #expect(hour.count == 16 && hour.hasSuffix(":00"))
            #expect(hour.hasPrefix(Date().formatted(.iso8601).prefix(10)))
            // An empty group_by is one grand total, as the dashboard asks for the period before.
            let total = try await server.get("/reports/costs?group_by=")
            #expect(total.json?["rows"]?.array == [try #require(total.json?["total"])])
            #expect(total.json?["total"]?["requests"]?.int == 1)
        }
    }
}

extension DashboardTests {
    @Test func theBudgetsNearestTheirLimitsComeFirst() async throws {
        try await withServer(try testConfig(simulatedYAML)) { server in
            for (user, limit) in [("ann", "0.05"), ("ben", "0.01"), ("cy", "5"), ("di", "0")] {
                #expect(try await server.put("/users/\(user)/budget", #"{"limit_usd": \#(limit)}"#).status == 200)
            }
            for user in ["ann", "ben", "cy"] {
                #expect(try await server.post("/v1/chat/completions", chatBody(extra: #""user": "\#(user)""#)).status == 200)
            }
            let nearest = try await server.get("/budgets?nearest=3")
            #expect(nearest.status == 200)
            // ben has used the most of his limit, then ann, then cy; di has used nothing of a zero limit.
            #expect(nearest.json?["budgets"]?.array?.map { $0["scope_id"]?.string } == ["ben", "ann", "cy"])
            let all = try await server.get("/budgets")
            #expect(all.json?["budgets"]?.array?.count == 4)
            for path in ["/budgets?nearest=0", "/budgets?nearest=1001", "/budgets?nearest=some"] {
                let refused = try await server.get(path)
                #expect(refused.status == 400, "\(path)")
                #expect(refused.json?["error"]?["param"]?.string == "nearest", "\(path)")
            }
        }
    }
}
