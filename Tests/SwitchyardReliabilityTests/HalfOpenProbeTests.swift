import Foundation
import Testing

/// How a half-open breaker's probe call ends, other than a success or a breaker failure.
enum ProbeEnding: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case rateLimited
    case badRequest
    case clientHangsUp

    var testDescription: String { rawValue }
}

extension Reliability {
    @Suite("A half-open probe gives its slot back however it ends", .timeLimit(.minutes(1)))
    struct HalfOpenProbeTests {
        @Test(
            "after a probe that ends in a 429, a 400 or a client hang-up, the next request is let through as a probe",
            arguments: ProbeEnding.allCases)
        func probeSlotReturned(_ ending: ProbeEnding) async throws {
            try await Stage.run(
                "probe-\(ending.rawValue)",
                config: { upstream in
                    upstream.script("flaky") { call, request in
                        switch call {
                        case 0: return .error(500)
                        case 1:
                            switch ending {
                            case .rateLimited: return .error(429)
                            case .badRequest: return .error(400, message: "scripted: this request is invalid")
                            // A first chunk, then silence: the client leaves mid-stream.
                            case .clientHangsUp: return .streamed(["thinking"], ending: .stall, finish: false)
                            }
                        default: return .answer(request, "flaky is back")
                        }
                    }
                    upstream.script("backup") { _, request in .answer(request, "backup answers") }
                    return baseConfig(
                        """
                        defaults:
                          retry: {max_attempts: 1}
                        providers:
                          - name: flaky
                            kind: openai
                            base_url: \(upstream.baseURL("flaky"))
                            models: [m]
                            timeout: {connect_ms: 200, first_byte_ms: 2000, idle_ms: 2000, total_ms: 5000}
                            circuit_breaker:
                              failure_threshold: 1
                              recovery_timeout_ms: 100
                              recovery_backoff_multiplier: 1
                              half_open_max_probes: 1
                          - name: backup
                            kind: openai
                            base_url: \(upstream.baseURL("backup"))
                            models: [m]
                        routes:
                          - name: default
                            tiers:
                              - {name: first, targets: [flaky/m]}
                              - {name: second, targets: [backup/m]}
                        """, server: "  sse_heartbeat_ms: 50")
                }
            ) { stage in
                let up = stage.upstream
                // Open the breaker: one failure.
                let opening = try await RawHTTP.post(port: stage.port, json: chatBody("open it"))
                #expect(opening.status == 200 && opening.provider == "backup", "\(opening)")
                #expect(try stage.ledger.transitions("flaky").map(\.to) == ["open"])

                // Past the recovery time-out (the breaker reads as half-open): the next request is the probe.
                try await waitUntilHalfOpen(stage)
                switch ending {
                case .rateLimited:
                    let probe = try await RawHTTP.post(port: stage.port, json: chatBody("probe"))
                    #expect(probe.status == 200 && probe.provider == "backup", "\(probe)")
                case .badRequest:
                    let probe = try await RawHTTP.post(port: stage.port, json: chatBody("probe"))
                    #expect(probe.status == 400 && probe.errorCode == "bad_request", "\(probe)")
                case .clientHangsUp:
                    // Mid-stream: the next heartbeat write fails and the call is stopped. (A client that leaves before
                    // any chunk, or during a non-streamed call, is not noticed: that call runs to its end.)
                    _ = try await RawHTTP.post(
                        port: stage.port, json: chatBody("probe", stream: true), hangUp: .afterEvents(1))
                    try await stage.waitUntilSettled(timeout: .seconds(5))
                    // The hang-up, not flaky's 2 s idle time-out, ended the probe.
                    let probe = try stage.ledger.requests().first { $0.id != opening.requestID }
                    #expect(probe?.status == "cancelled", "\(String(describing: probe))")
                }
                #expect(up.calls("flaky") == 2, "the probe reached flaky")

                // Whatever the probe's verdict, flaky must be called again: its breaker lets a probe through.
                try await waitUntilHalfOpen(stage)
                let next = try await RawHTTP.post(port: stage.port, json: chatBody("after the probe"))
                #expect(up.calls("flaky") == 3, "flaky was skipped after its probe: \(next)")
                #expect(next.status == 200 && next.provider == "flaky", "\(next)")

                let providers = try await RawHTTP.get(port: stage.port, path: "/providers")
                let flaky = (providers.json?["providers"] as? [[String: Any]])?.first {
                    $0["name"] as? String == "flaky"
                }
                #expect((flaky?["circuit_status"] as? String)?.lowercased() == "closed", "\(providers)")
                #expect(await stage.isAlive())
                Figures.record("probe-\(ending.rawValue)", ["requests_under_faults": 3])
            }
        }

        /// Waits until `/providers` shows flaky's breaker half-open (open, with its recovery time-out passed).
        private func waitUntilHalfOpen(_ stage: Stage) async throws {
            try await eventually("flaky's breaker reads as half-open") {
                let providers = try await RawHTTP.get(port: stage.port, path: "/providers")
                let flaky = (providers.json?["providers"] as? [[String: Any]])?.first { $0["name"] as? String == "flaky" }
                return flaky?["circuit_status"] as? String == "HALF_OPEN"
            }
        }
    }
}
