import Foundation
import HTTPTypes
import SwitchyardCore
import SwitchyardServer
import SwitchyardStore
import Testing

@Suite("Failover, drain switch and the queue", .timeLimit(.minutes(1)))
struct FailoverTests {
    @Test func failoverShowsInHeadersBodyAndLedger() async throws {
        try await withFakeUpstream({ _ in OpenAIReply.error(.serviceUnavailable) }) { upstream in
            try await withServer(try Configs.primaryWithBackup(upstream)) { server in
                let response = try await server.post("/v1/chat/completions", chatBody())
                #expect(response.status == 200)
                #expect(response[header: "x-switchyard-provider"] == "backup")
                #expect(response.json?["switchyard"]?["attempts"]?.int == 2)
                #expect(response.json?["switchyard"]?["tier"]?.string == "second")
                #expect(upstream.hits == 1)

                let requestID = try #require(response[header: "x-switchyard-request-id"])
                let attempts = try await server.ledger(
                    """
                    SELECT seq, tier, provider, outcome, coalesce(http_status, '') FROM attempts
                    WHERE request_id = '\(requestID)' ORDER BY seq
                    """)
                #expect(attempts.map { $0.map(\.description) } == [
                    ["1", "first", "primary", "error", "503"],
                    ["2", "second", "backup", "success", ""],
                ])
                let request = try await server.ledger(
                    "SELECT status, provider, attempt_count FROM requests WHERE id = '\(requestID)'")
                #expect(request.first?.map(\.description) == ["success", "backup", "2"])
            }
        }
    }

    static let escalating = """
        providers:
          - {name: small, kind: simulated, models: [tiny], simulated: {latency_ms: 0, escalation_rate: 1}}
          - {name: large, kind: simulated, models: [big], simulated: {latency_ms: 0}}
        routes:
          - name: default
            tiers: [{targets: [small/tiny]}]
            escalation: {to: [large/big]}
        """

    @Test func escalationShowsInHeadersAndSummary() async throws {
        try await withServer(try testConfig(Self.escalating)) { server in
            let response = try await server.post("/v1/chat/completions", chatBody())
            #expect(response.status == 200)
            #expect(response[header: "x-switchyard-provider"] == "large")
            #expect(response.json?["switchyard"]?["escalated"]?.bool == true)
            #expect(response.json?["choices"]?[0]?["message"]?["content"]?.string?.contains("[ESCALATE]") == false)

            let (head, events) = try await server.openStream("/v1/chat/completions", chatBody(extra: #""stream": true"#))
            var reader = events
            let all = try await reader.rest()
            #expect(head[header: "x-switchyard-provider"] == "large")
            #expect(all.last == "[DONE]")
            #expect(!all.joined().contains("[ESCALATE]"))
            #expect(all.dropLast().last.flatMap { JSONValue(parsing: $0) }?["switchyard"]?["escalated"]?.bool == true)
        }
    }

    @Test func concurrentRequestsAreAllRecorded() async throws {
        try await withServer(try testConfig(simulatedYAML)) { server in
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<40 {
                    group.addTask {
                        let stream = index % 2 == 0 ? #""stream": true, "#: ""
                        return try await server.post(
                            "/v1/chat/completions", chatBody(extra: stream + #""user": "u\#(index % 4)""#)
                        ).status
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses == Array(repeating: 200, count: 40))
            let rows = try await server.ledger(
                "SELECT count(*), sum(status = 'success'), sum(cost_usd_micros) FROM requests")
            #expect(rows.first?[0].description == "40")
            #expect(rows.first?[1].description == "40")
            let spent = try await server.ledger("SELECT sum(spent_usd_micros), sum(reserved_usd_micros) FROM budgets")
            #expect(spent.first?[0] == rows.first?[2])
            #expect(spent.first?[1].description == "0")
        }
    }

    @Test func streamFailsOverBeforeTheFirstChunk() async throws {
        try await withFakeUpstream({ _ in OpenAIReply.error(.badGateway) }) { upstream in
            try await withServer(try Configs.primaryWithBackup(upstream)) { server in
                let (head, events) = try await server.openStream("/v1/chat/completions", chatBody(extra: #""stream": true"#))
                var reader = events
                let all = try await reader.rest()
                #expect(head.status == 200)
                #expect(head[header: "x-switchyard-provider"] == "backup")
                #expect(all.last == "[DONE]")
                #expect(upstream.hits == 1)
            }
        }
    }

    @Test func simulateFailureTakesAProviderOutAndBack() async throws {
        let config = try testConfig(
            """
            providers:
            \(Configs.simulated("first"))
            \(Configs.simulated("second"))
            routes:
              - name: default
                tiers:
                  - {targets: [first/sim-1]}
                  - {targets: [second/sim-1]}
            """)
        try await withServer(config) { server in
            #expect(try await server.post("/v1/chat/completions", chatBody())[header: "x-switchyard-provider"] == "first")

            let down = try await server.post("/simulate/failure", #"{"provider": "first", "down": true}"#)
            #expect(down.status == 200)
            #expect(down.json?["provider"]?.string == "first")
            #expect(down.json?["down"]?.bool == true)
            let providers = try await server.get("/providers")
            let first = providers.json?["providers"]?.array?.first { $0["name"]?.string == "first" }
            #expect(first?["is_down"]?.bool == true)

            let during = try await server.post("/v1/chat/completions", chatBody())
            #expect(during.status == 200)
            #expect(during[header: "x-switchyard-provider"] == "second")
            let duringID = try #require(during[header: "x-switchyard-request-id"])
            let skipped = try await server.ledger(
                "SELECT provider, reason FROM request_events WHERE request_id = '\(duringID)' AND kind = 'target_skipped'")
            #expect(skipped.first?.first?.description == "first")

            let up = try await server.post("/simulate/failure", #"{"provider": "first", "down": false}"#)
            #expect(up.status == 200)
            #expect(up.json?["down"]?.bool == false)
            let after = try await server.post("/v1/chat/completions", chatBody())
            #expect(after[header: "x-switchyard-provider"] == "first")

            let unknown = try await server.post("/simulate/failure", #"{"provider": "nope", "down": true}"#)
            #expect(unknown.status == 404)
            #expect(unknown.errorCode == "unknown_provider")
        }
    }

    @Test func drainSwitchWorksForHTTPProviders() async throws {
        try await withFakeUpstream({ _ in OpenAIReply.answer() }) { upstream in
            try await withServer(try Configs.primaryWithBackup(upstream)) { server in
                #expect(try await server.post("/simulate/failure", #"{"provider": "primary", "down": true}"#).status == 200)
                let during = try await server.post("/v1/chat/completions", chatBody())
                #expect(during[header: "x-switchyard-provider"] == "backup")
                #expect(upstream.hits == 0)
                #expect(try await server.post("/simulate/failure", #"{"provider": "primary", "down": false}"#).status == 200)
                let after = try await server.post("/v1/chat/completions", chatBody())
                #expect(after[header: "x-switchyard-provider"] == "primary")
                #expect(upstream.hits == 1)
            }
        }
    }

    /// One request waits in a queue of one; the next is refused with 429; bringing the provider back serves the
    /// waiting one.
    @Test func fullQueueIsRefusedWith429AndTheWaiterIsServedWhenAProviderReturns() async throws {
        let config = try testConfig(
            """
            providers:
            \(Configs.simulated("only"))
            queue: {max_length: 1, max_wait_ms: 30000}
            """)
        try await withServer(config) { server in
            #expect(try await server.post("/simulate/failure", #"{"provider": "only", "down": true}"#).status == 200)
            async let waiting = server.post("/v1/chat/completions", chatBody())
            try await waitUntil("a request waits in the queue") { server.runtime.router.queueLength == 1 }

            let refused = try await server.post("/v1/chat/completions", chatBody())
            #expect(refused.status == 429)
            #expect(refused.errorCode == "queue_full")
            #expect(refused.json?["error"]?["type"]?.string == "rate_limit_error")
            let retryAfter = try #require(refused[header: "retry-after"].flatMap { Int($0) })
            #expect(retryAfter >= 1)

            #expect(try await server.post("/simulate/failure", #"{"provider": "only", "down": false}"#).status == 200)
            let served = try await waiting
            #expect(served.status == 200)
            #expect(served[header: "x-switchyard-provider"] == "only")
        }
    }

    @Test func queueWaitExpiringGives503WithRetryAfter() async throws {
        let config = try testConfig(
            """
            providers:
            \(Configs.simulated("only"))
            queue: {max_length: 5, max_wait_ms: 50}
            """)
        try await withServer(config) { server in
            #expect(try await server.post("/simulate/failure", #"{"provider": "only", "down": true}"#).status == 200)
            let response = try await server.post("/v1/chat/completions", chatBody())
            #expect(response.status == 503)
            #expect(response.errorCode == "all_providers_unavailable")
            #expect(response[header: "retry-after"].flatMap { Int($0) }.map { $0 >= 1 } == true)
            #expect(response[header: "x-switchyard-request-id"] != nil)
        }
    }
}
