import Foundation
import Testing

extension Reliability {
    /// A provider bills what it received and produced, whether or not the client stayed: so must the ledger.
    @Suite("Calls abandoned after they reached the provider are paid for", .timeLimit(.minutes(1)))
    struct AbandonedCallBillingTests {
        /// One priced provider; `first_byte_ms` bounds a hanging call (5 s unless given: the run's first seconds on
        /// 2 cores, with a PostgreSQL server starting beside, can delay a first byte past 1 s).
        static func config(_ upstream: FakeUpstream, firstByteMs: Int = 5000) -> String {
            baseConfig(
                """
                defaults:
                  retry: {max_attempts: 1}
                providers:
                  - name: priced
                    kind: openai
                    base_url: \(upstream.baseURL("priced"))
                    models:
                      - {name: m, input_usd_per_mtok: 10.00, output_usd_per_mtok: 30.00, max_output_tokens: 200}
                    timeout: {connect_ms: 200, first_byte_ms: \(firstByteMs), idle_ms: 2000, total_ms: 10000}
                """)
        }

        /// What the request reserved (its upper bound).
        static func reserved(_ stage: Stage, _ requestID: String) throws -> Int64 {
            try stage.ledger.ledgerRows().filter { $0.requestID == requestID && $0.kind == "reserve" }
                .map(\.amountMicros).reduce(0, +)
        }

        @Test("a client that hangs up mid-stream pays for the prompt and the text produced (estimated)")
        func streamHangUp() async throws {
            try await Stage.run(
                "hangup-stream",
                config: { upstream in
                    // A long answer, one word every 40 ms; usage would come only at the end, which is never reached.
                    upstream.always("priced", .streamed(Array(repeating: "word ", count: 60), gap: .milliseconds(40)))
                    return Self.config(upstream)
                }
            ) { stage in
                let answer = try await RawHTTP.post(
                    port: stage.port, json: chatBody("tell me a long story", user: "streamer", stream: true),
                    hangUp: .afterEvents(3))
                #expect(answer.status == 200 && answer.hungUp, "\(answer)")
                let id = try #require(answer.requestID)
                let row = try await stage.finishedRequest(id, timeout: .seconds(10))
                #expect(row.status == "cancelled", "\(row)")
                #expect(row.costMicros > 0, "the prompt and the words produced were billed: \(row)")
                #expect(row.tokensEstimated, "\(row)")
                #expect(row.costMicros <= (try Self.reserved(stage, id)), "\(row)")
                let attempts = try stage.ledger.attempts(id)
                #expect(attempts.map(\.outcome) == ["cancelled"], "\(attempts)")
                #expect(attempts.map(\.costMicros).reduce(0, +) == row.costMicros, "\(attempts)")
                let budget = try await RawHTTP.budget(port: stage.port, user: "streamer")
                #expect(budget.spent == row.costMicros, "spent moved by exactly the request's cost")
                #expect(budget.reserved == 0)
                // Switchyard stopped the upstream call instead of reading the whole answer.
                try await stage.upstream.waitUntil("the upstream call was cancelled", timeout: .seconds(5)) {
                    stage.upstream.abandoned("priced") == 1
                }
                Figures.record("hangup-stream", ["requests_under_faults": 1])
            }
        }

        @Test("a non-streamed call the client abandons after it reached the provider is billed (upper bound)")
        func nonStreamedHangUp() async throws {
            try await Stage.run(
                "hangup-json",
                config: { upstream in
                    upstream.always("priced", .hang)
                    return Self.config(upstream)
                }
            ) { stage in
                let up = stage.upstream
                _ = try await RawHTTP.post(
                    port: stage.port, json: chatBody("are you there?", user: "quitter"),
                    hangUp: .when { try await up.waitUntil("the call reaches the provider") { up.calls("priced") >= 1 } })
                try await stage.waitUntilSettled()
                let row = try #require(try stage.ledger.requests(user: "quitter").first)
                #expect(row.status != "success", "\(row)")
                #expect(row.costMicros > 0, "the call reached the provider, which may bill it: \(row)")
                #expect(row.costMicros <= (try Self.reserved(stage, row.id)), "\(row)")
                let budget = try await RawHTTP.budget(port: stage.port, user: "quitter")
                #expect(budget.spent == row.costMicros, "spent moved by exactly the request's cost")
                #expect(budget.reserved == 0)
                Figures.record("hangup-json", ["requests_under_faults": 1])
            }
        }

        @Test("a call that timed out after it reached the provider is billed (upper bound), not $0")
        func timedOutCall() async throws {
            try await Stage.run(
                "timeout-billed",
                config: { upstream in
                    upstream.always("priced", .hang)
                    return Self.config(upstream, firstByteMs: 150)
                }
            ) { stage in
                let answer = try await RawHTTP.post(port: stage.port, json: chatBody("anyone?", user: "waiter"))
                #expect(answer.status == 502 && answer.errorCode == "all_providers_failed", "\(answer)")
                #expect(answer.elapsed < .seconds(3), "\(answer)")
                let id = try #require(answer.requestID)
                let row = try await stage.finishedRequest(id)
                let attempts = try stage.ledger.attempts(id)
                #expect(attempts.map(\.outcome) == ["timeout"], "\(attempts)")
                #expect(row.costMicros > 0, "\(row) \(attempts)")
                #expect(row.costMicros <= (try Self.reserved(stage, id)), "\(row)")
                let budget = try await RawHTTP.budget(port: stage.port, user: "waiter")
                #expect(budget.spent == row.costMicros)
                #expect(budget.reserved == 0)
                Figures.record("timeout-billed", ["requests_under_faults": 1])
            }
        }
    }
}
