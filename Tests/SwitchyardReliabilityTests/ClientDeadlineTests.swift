import Foundation
import Testing

extension Reliability {
    @Suite("A client's deadline is never the provider's failure", .timeLimit(.minutes(1)))
    struct ClientDeadlineTests {
        @Test("tiny switchyard.timeout_ms and preferences.timeout_ms: 504 deadline_exceeded, the breaker stays closed")
        func clientDeadlines() async throws {
            try await Stage.run(
                "client-deadline",
                config: { upstream in
                    // Slow but healthy: every answer takes 300 ms.
                    upstream.script("slow") { _, request in .answer(request, "slow but fine", gap: .milliseconds(300)) }
                    // A short queue wait, so that a breaker opened by mistake shows as a quick 503, not a 10 s one.
                    return baseConfig(
                        """
                        queue: {max_wait_ms: 200}
                        providers:
                          - name: slow
                            kind: openai
                            base_url: \(upstream.baseURL("slow"))
                            models: [m]
                            circuit_breaker: {failure_threshold: 2, recovery_timeout_ms: 60000}
                        """)
                }
            ) { stage in
                var requests = 0
                // 1 ms: the deadline passes before or just as the call starts; 100 ms: in the middle of the call.
                for (index, timeout) in [1, 1, 100, 100, 1, 100].enumerated() {
                    let answer = try await RawHTTP.post(
                        port: stage.port,
                        json: chatBody(
                            "deadline \(index)", stream: index % 2 == 1, switchyard: #"{"timeout_ms": \#(timeout)}"#))
                    requests += 1
                    #expect(answer.status == 504, "\(answer)")
                    #expect(answer.errorCode == "deadline_exceeded", "\(answer)")
                    #expect(answer.elapsed < .seconds(2), "a \(timeout) ms deadline answered after \(answer.elapsed)")
                }
                for timeout in [1, 100] {
                    let answer = try await RawHTTP.post(
                        port: stage.port, path: "/chat/completions",
                        json:
                            #"{"prompt": "simple deadline", "user_id": "bob", "preferences": {"timeout_ms": \#(timeout)}}"#
                    )
                    requests += 1
                    #expect(answer.status == 504, "\(answer)")
                    #expect(answer.errorCode == "deadline_exceeded", "\(answer)")
                }

                let providers = try await RawHTTP.get(port: stage.port, path: "/providers")
                let slow = (providers.json?["providers"] as? [[String: Any]])?.first { $0["name"] as? String == "slow" }
                #expect((slow?["circuit_status"] as? String)?.lowercased() == "closed", "\(providers)")
                let transitions = try stage.ledger.transitions("slow")
                #expect(transitions.isEmpty, "a client's deadline moved the breaker: \(transitions)")

                // Still in rotation for everyone else.
                let normal = try await RawHTTP.post(port: stage.port, json: chatBody("no deadline", user: "carol"))
                requests += 1
                #expect(normal.status == 200, "\(normal)")
                #expect(normal.provider == "slow")
                try await stage.waitUntilSettled()
                let statuses = try stage.ledger.requests().filter { $0.userID != "carol" }.map(\.status)
                #expect(statuses.allSatisfy { $0 == "timeout" }, "\(statuses)")
                Figures.record("client-deadline", ["requests_under_faults": requests])
            }
        }
    }
}
