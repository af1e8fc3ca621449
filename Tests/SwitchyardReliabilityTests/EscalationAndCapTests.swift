import Foundation
import Testing

extension Reliability {
    @Suite("Escalation and cost caps", .timeLimit(.minutes(1)))
    struct EscalationAndCapTests {
        /// `local` asks to escalate; `strong` and `stronger` are the escalation targets. Output is priced at
        /// $100 per million tokens everywhere, so 1,000 tokens cost $0.10.
        static func config(_ upstream: FakeUpstream, extraTier: String = "") -> String {
            baseConfig(
                """
                defaults:
                  retry: {max_attempts: 1}
                providers:
                  - name: local
                    kind: openai
                    base_url: \(upstream.baseURL("local"))
                    models: [{name: m, output_usd_per_mtok: 100.00, max_output_tokens: 1000}]
                    timeout: {connect_ms: 200, first_byte_ms: 150, idle_ms: 1000, total_ms: 5000}
                  - name: strong
                    kind: openai
                    base_url: \(upstream.baseURL("strong"))
                    models: [{name: big, output_usd_per_mtok: 100.00, max_output_tokens: 1000}]
                  - name: stronger
                    kind: openai
                    base_url: \(upstream.baseURL("stronger"))
                    models: [{name: big, output_usd_per_mtok: 100.00, max_output_tokens: 1000}]
                routes:
                  - name: default
                    tiers:
                      - {name: local, targets: [local/m]}\(extraTier)
                    escalation:
                      marker: "[ESCALATE]"
                      to: [strong/big, stronger/big]
                """)
        }

        /// An honest provider: it produces as many tokens as it was allowed (`max_tokens`).
        static func honest(_ request: UpstreamRequest, _ text: String) -> UpstreamReply {
            .completion(text, usage: (prompt: 10, completion: request.maxTokens ?? 1000))
        }

        @Test("a streamed answer that escalates to targets that all fail is a 502 escalation_failed, not a clean stop")
        func streamedEscalationFails() async throws {
            try await Stage.run(
                "escalation-fails",
                config: { upstream in
                    upstream.always("local", .streamed(["[ESC", "ALATE] this is", " beyond me"]))
                    upstream.always("strong", .error(500))
                    upstream.always("stronger", .error(503))
                    return Self.config(upstream)
                }
            ) { stage in
                let answer = try await RawHTTP.post(
                    port: stage.port, json: chatBody("prove the Riemann hypothesis", stream: true))
                #expect(answer.status == 502, "\(answer)")
                #expect(answer.errorCode == "escalation_failed", "\(answer)")
                #expect(!answer.isDone, "no [DONE]: the client must not take a cut answer for a whole one")
                #expect(stage.upstream.calls("strong") == 1 && stage.upstream.calls("stronger") == 1)
                let id = try #require(answer.requestID)
                let row = try await stage.finishedRequest(id)
                #expect(row.status == "failed" && row.errorCode == "escalation_failed", "\(row)")
                #expect(try stage.ledger.attempts(id).map(\.outcome) == ["escalated", "error", "error"])
                #expect(await stage.isAlive(), "\(stage.postmortem)")
                Figures.record("escalation-fails", ["requests_under_faults": 1])
            }
        }

        @Test("max_cost_usd bounds the whole request: an escalated request costs at most the cap")
        func capBoundsEscalation() async throws {
            try await Stage.run(
                "cap-escalation",
                config: { upstream in
                    upstream.script("local") { _, request in Self.honest(request, "[ESCALATE] too hard") }
                    upstream.script("strong") { _, request in Self.honest(request, "the strong answer") }
                    return Self.config(upstream)
                }
            ) { stage in
                // Each call alone may cost $0.10 (1,000 tokens) and fits the $0.15 cap; both together do not.
                let answer = try await RawHTTP.post(
                    port: stage.port,
                    json: chatBody(
                        "hard question", user: "capped", maxTokens: 1000,
                        switchyard: #"{"max_cost_usd": 0.15}"#))
                try Self.expectWithinCap("cap-escalation", stage, answer, user: "capped", cap: 150_000)
            }
        }

        @Test(
            "max_cost_usd bounds the whole request: a timed-out call (billed) plus the failover costs at most the cap")
        func capBoundsFailover() async throws {
            try await Stage.run(
                "cap-failover",
                config: { upstream in
                    upstream.always("local", .hang)
                    upstream.script("strong") { _, request in Self.honest(request, "the fallback answer") }
                    // A second tier, so `strong` is a failover target as well as an escalation target.
                    return Self.config(upstream, extraTier: "\n      - {name: cloud, targets: [strong/big]}")
                }
            ) { stage in
                let answer = try await RawHTTP.post(
                    port: stage.port,
                    json: chatBody(
                        "simple question", user: "capped", maxTokens: 1000,
                        switchyard: #"{"max_cost_usd": 0.15}"#))
                #expect(stage.upstream.calls("local") == 1, "the first call reached its provider and timed out")
                try Self.expectWithinCap("cap-failover", stage, answer, user: "capped", cap: 150_000)
            }
        }

        static func expectWithinCap(_ test: String, _ stage: Stage, _ answer: HTTPExchange, user: String, cap: Int64)
            throws
        {
            #expect([200, 400, 502, 504].contains(answer.status), "\(answer)")
            let id = try #require(answer.requestID, "\(answer)")
            let rows = try stage.ledger.requests(user: user)
            let row = try #require(rows.first { $0.id == id })
            let attempts = try stage.ledger.attempts(id)
            #expect(row.costMicros <= cap, "the request cost \(row.costMicros) µ$, over its cap of \(cap): \(attempts)")
            #expect(attempts.map(\.costMicros).reduce(0, +) == row.costMicros, "\(attempts)")
            #expect(try stage.ledger.budget(user).spent == row.costMicros)
            Figures.record(test, ["requests_under_faults": 1])
        }
    }
}
