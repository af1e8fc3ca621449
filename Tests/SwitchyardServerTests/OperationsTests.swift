import SwitchyardTesting
import Foundation
import HTTPTypes
import SwitchyardCore
import SwitchyardServer
import SwitchyardStore
import Testing

@Suite("Providers, analytics, reports", .timeLimit(.minutes(1)))
struct OperationsTests {
    @Test func providersListsLiveStateOfEachProvider() async throws {
        try await withFakeUpstream({ _ in OpenAIReply.answer() }) { upstream in
            try await withServer(try Configs.primaryWithBackup(upstream)) { server in
                _ = try await server.post("/v1/chat/completions", chatBody())
                let response = try await server.get("/providers")
                #expect(response.status == 200)
                let providers = try #require(response.json?["providers"]?.array)
                #expect(providers.compactMap { $0["name"]?.string } == ["primary", "backup"])
                let primary = try #require(providers.first)
                for key in [
                    "name", "model", "cost_per_token", "latency_ms", "specialties", "quality_score", "is_down",
                    "circuit_status", "success_rate",
                ] {
                    #expect(primary[key] != nil, "missing \(key)")
                }
                #expect(primary["rate_limit_rpm"] == .null)
                #expect(primary["kind"]?.string == "openai")
                #expect(primary["model"]?.string == "gpt-test")
                #expect(primary["circuit_status"]?.string == "CLOSED")
                #expect(primary["is_down"]?.bool == false)
                #expect(primary["requests"]?.int == 1)
                #expect(primary["success_rate"]?.number == 1)
                #expect(providers.last?["kind"]?.string == "simulated")
            }
        }
    }

    @Test func analyticsComeFromTheLedgerAndSurviveARestart() async throws {
        try await withFakeUpstream({ _ in OpenAIReply.error(.internalServerError) }) { upstream in
            try await withTemporaryDirectory { directory in
                let path = directory.appendingPathComponent("ledger.sqlite").path
                let config = try Configs.primaryWithBackup(upstream)
                let before = try await withServer(config, databasePath: path) { server in
                    for _ in 0..<2 { #expect(try await server.post("/v1/chat/completions", chatBody()).status == 200) }
                    #expect(try await server.post("/v1/chat/completions", chatBody(model: "nope")).status == 404)
                    let response = try await server.get("/routing/analytics")
                    #expect(response.status == 200)
                    return try #require(response.json)
                }
                let global = try #require(before["global"])
                #expect(global["total_requests"]?.int == 3)
                #expect(global["total_success"]?.int == 2)
                #expect(global["total_failures"]?.int == 1)
                #expect(global["success_rate"]?.number.map { abs($0 - 2.0 / 3.0) < 1e-9 } == true)
                #expect(global["avg_latency_ms"]?.number != nil)
                #expect(global["total_cost"]?.number != nil)
                #expect(before["providers"]?["primary"]?["requests"]?.int == 2)
                #expect(before["providers"]?["primary"]?["failures"]?.int == 2)
                #expect(before["providers"]?["primary"]?["success_rate"]?.number == 0)
                #expect(before["providers"]?["backup"]?["success"]?.int == 2)
                #expect(before["providers"]?["backup"]?["circuit_status"]?.string == "CLOSED")
                #expect(before["providers"]?["backup"]?["is_down"]?.bool == false)

                let after = try await withServer(config, databasePath: path) { server in
                    try #require(try await server.get("/routing/analytics").json)
                }
                #expect(after["global"] == before["global"])
                #expect(after["providers"]?["primary"]?["requests"] == before["providers"]?["primary"]?["requests"])
                #expect(after["providers"]?["backup"]?["success"]?.int == 2)
            }
        }
    }

    /// A call still in flight is neither a success nor a failure yet.
    @Test func analyticsDoNotCountCallsInFlightAsFailures() async throws {
        let arrived = Gate()
        let release = Gate()
        try await withFakeUpstream({ _ in
            arrived.open()
            try await release.wait()
            return OpenAIReply.answer()
        }) { upstream in
            try await withServer(try Configs.primaryOnly(upstream)) { server in
                async let answer = server.post("/v1/chat/completions", chatBody())
                try await arrived.wait()
                try await waitUntil("the attempt is in the ledger") {
                    try await server.ledger("SELECT count(*) FROM attempts").first?.first?.description == "1"
                }
                let during = try #require(try await server.get("/routing/analytics").json)
                release.open()
                #expect(during["providers"]?["primary"]?["failures"]?.int == 0)
                #expect(during["global"]?["total_requests"]?.int == 0)
                #expect(try await answer.status == 200)
                // The ledger totals are recomputed at most once a second (AnalyticsCache.lifetime).
                try await waitUntil("the analytics count the success") {
                    let after = try await server.get("/routing/analytics").json
                    return after?["providers"]?["primary"]?["success"]?.int == 1
                        && after?["global"]?["total_success"]?.int == 1
                }
            }
        }
    }

    @Test func costAndReliabilityReports() async throws {
        try await withServer(try testConfig(simulatedYAML)) { server in
            _ = try await server.post("/v1/chat/completions", chatBody(extra: #""user": "fay""#))
            let costs = try await server.get("/reports/costs?group_by=user")
            #expect(costs.status == 200)
            let costRow = try #require(costs.json?["rows"]?[0])
            #expect(costRow["user"]?.string == "fay")
            #expect(costRow["requests"]?.int == 1)
            #expect(costRow["cost_usd_micros"]?.int == costs.json?["total"]?["cost_usd_micros"]?.int)
            #expect(costRow["cost_usd"]?.string.flatMap { Decimal(string: $0) } != nil)
            #expect(costRow["prompt_tokens"]?.int != nil)
            #expect(costs.json?["group_by"] == .array([.string("user")]))

            let byDay = try await server.get("/reports/costs?group_by=provider,day&since=2020-01-01&until=2999-01-01")
            #expect(byDay.status == 200)
            #expect(byDay.json?["since"]?.string == "2020-01-01T00:00:00Z")
            #expect(byDay.json?["until"]?.string == "2999-01-01T00:00:00Z")
            #expect(byDay.json?["rows"]?[0]?["provider"]?.string == "sim")
            #expect(byDay.json?["rows"]?[0]?["day"]?.string?.count == 10)

            let byModel = try await server.get("/reports/reliability?group_by=model")
            #expect(byModel.status == 200)
            #expect(byModel.json?["entries"]?[0]?["model"]?.string == "sim-1")
            let reliability = try await server.get("/reports/reliability")
            #expect(reliability.status == 200)
            let entry = try #require(reliability.json?["entries"]?[0])
            #expect(entry["provider"]?.string == "sim")
            #expect(entry["model"] == nil)
            #expect(entry["success_rate"]?.number == 1)
            #expect(entry["p50_latency_ms"] != nil)
            #expect(reliability.json?["requests"]?["by_status"]?["success"]?.int == 1)

            for path in [
                "/reports/costs?group_by=planet", "/reports/costs?since=yesterday",
                "/reports/costs?since=2030-01-02&until=2030-01-01", "/reports/reliability?group_by=user",
            ] {
                let response = try await server.get(path)
                #expect(response.status == 400, "\(path)")
                #expect(response.errorCode == "invalid_request", "\(path)")
            }
        }
    }
}
