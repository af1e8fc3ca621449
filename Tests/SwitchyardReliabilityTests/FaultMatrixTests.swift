import Foundation
import Testing

/// One way the first provider of a two-tier route misbehaves.
enum UpstreamFault: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case http500
    case http503
    case rateLimitedRetryAfterOneSecond
    case rateLimitedRetryAfterHugeInteger
    case rateLimitedRetryAfterExponent
    case rateLimitedRetryAfterYear9999
    case rateLimitedRetryAfterMsExponent
    case connectionRefused
    case hangBeforeHeaders
    case stallMidBody
    case sseCutMidReply
    case malformedJSON
    case usageExponent
    case usageInt64Max
    case usageNegative

    var testDescription: String { rawValue }

    /// A 429 whose cool-down must be capped by `defaults.retry.max_retry_after_ms`.
    var isRateLimit: Bool { rawValue.hasPrefix("rateLimited") }
    /// A 200 whose `usage` is absurd: the answer is fine, the numbers are not.
    var isAbsurdUsage: Bool { rawValue.hasPrefix("usage") }
    /// Counts against the breaker (failure_threshold 2 opens it on the second request).
    var opensBreaker: Bool { !isRateLimit && !isAbsurdUsage }
    /// Only a stream can be cut between events.
    var streams: Bool { self == .sseCutMidReply }

    /// A fine answer, streamed or not as asked, whose `usage` is the given JSON text.
    static func absurdUsage(_ usage: String, _ request: UpstreamRequest) -> UpstreamReply {
        request.isStream
            ? .streamed(["absurd ", "usage"], usageJSON: usage) : .completion("absurd usage", usageJSON: usage)
    }

    /// What the faulty provider answers to call `call` (0-based).
    func reply(call: Int, request: UpstreamRequest) -> UpstreamReply {
        let later = UpstreamReply.answer(request, "the faulty provider recovered")
        switch self {
        case .http500: return .error(500)
        case .http503: return .error(503)
        case .rateLimitedRetryAfterOneSecond: return call == 0 ? .error(429, headers: [("Retry-After", "1")]) : later
        case .rateLimitedRetryAfterHugeInteger:
            return call == 0 ? .error(429, headers: [("Retry-After", "99999999999999999999")]) : later
        case .rateLimitedRetryAfterExponent: return call == 0 ? .error(429, headers: [("Retry-After", "1e300")]) : later
        case .rateLimitedRetryAfterYear9999:
            return call == 0 ? .error(429, headers: [("Retry-After", "Fri, 31 Dec 9999 23:59:59 GMT")]) : later
        case .rateLimitedRetryAfterMsExponent:
            return call == 0 ? .error(429, headers: [("retry-after-ms", "1e30")]) : later
        case .connectionRefused: return .close  // never reached: the provider's base_url is a closed port
        case .hangBeforeHeaders: return .hang
        case .stallMidBody:
            // Headers, then silence before any content: the idle time-out fires, and nothing reached the client.
            if request.isStream { return .streamed([], ending: .stall, finish: false) }
            return .stallBody(prefix: #"{"id":"x","choices":[{"index":0,"mess"#, promised: 400)
        case .sseCutMidReply: return .streamed(["Hello ", "there, "], ending: .cut, finish: false)
        case .malformedJSON:
            if request.isStream { return .stream(events: [#"{"id": "x", "choices": [{"#]) }
            return .respond(
                status: 200, headers: [("content-type", "application/json")], body: #"{"id": "x", "choices": [{"#)
        case .usageExponent: return Self.absurdUsage(#"{"prompt_tokens":1e30,"completion_tokens":5}"#, request)
        case .usageInt64Max:
            return Self.absurdUsage(
                #"{"prompt_tokens":9223372036854775807,"completion_tokens":9223372036854775807,"total_tokens":9223372036854775807}"#,
                request)
        case .usageNegative:
            return Self.absurdUsage(
                #"{"prompt_tokens":-5,"completion_tokens":-9223372036854775807,"total_tokens":-1}"#, request)
        }
    }
}

extension Reliability {
    @Suite("Fault matrix: the first provider misbehaves, the second is healthy", .timeLimit(.minutes(1)))
    struct FaultMatrixTests {
        static let requests = 3

        /// - Parameter retryCap: write `defaults.retry.max_retry_after_ms: 200`, the key issue 9 adds (only in the
        ///   test of that cap, so that the rest of the matrix runs on today's configuration keys too).
        static func config(
            _ upstream: FakeUpstream, fault: UpstreamFault, closedPort: Int, retryCap: Bool = false
        ) -> String {
            let badURL = fault == .connectionRefused ? "http://127.0.0.1:\(closedPort)/bad/v1" : upstream.baseURL("bad")
            let retryCap = retryCap ? "\n    max_retry_after_ms: 200" : ""
            return baseConfig(
                """
                defaults:
                  timeout_ms: 10000
                  retry:
                    max_attempts: 1\(retryCap)
                providers:
                  - name: bad
                    kind: openai
                    base_url: \(badURL)
                    models:
                      - {name: m, input_usd_per_mtok: 1.00, output_usd_per_mtok: 2.00}
                    timeout: {connect_ms: 200, first_byte_ms: 200, idle_ms: 200, total_ms: 5000}
                    circuit_breaker: {failure_threshold: 2, recovery_timeout_ms: 60000}
                  - name: good
                    kind: openai
                    base_url: \(upstream.baseURL("good"))
                    models:
                      - {name: m, input_usd_per_mtok: 1.00, output_usd_per_mtok: 2.00}
                routes:
                  - name: default
                    tiers:
                      - {name: first, targets: [bad/m]}
                      - {name: second, targets: [good/m]}
                """)
        }

        @Test(
            "each fault fails over or ends in its documented error; ledger complete; the process survives",
            arguments: UpstreamFault.allCases)
        func fault(_ fault: UpstreamFault) async throws {
            let closedPort = try await FakeUpstream.closedPort()
            try await Stage.run(
                "fault-\(fault.rawValue)",
                config: { upstream in
                    upstream.script("bad") { call, request in fault.reply(call: call, request: request) }
                    upstream.script("good") { _, request in .answer(request, "the healthy provider answers") }
                    return Self.config(upstream, fault: fault, closedPort: closedPort)
                }
            ) { stage in
                let up = stage.upstream
                var answers: [HTTPExchange] = []
                for index in 0..<Self.requests {
                    let stream = fault.streams || index == 1
                    let answer: HTTPExchange
                    do {
                        answer = try await RawHTTP.post(
                            port: stage.port, json: chatBody("request \(index)", user: "matrix", stream: stream))
                    } catch {
                        Issue.record("request \(index) got no answer: \(error)\n\(stage.postmortem)")
                        return
                    }
                    answers.append(answer)
                    #expect(answer.elapsed < .seconds(5), "request \(index) waited \(answer.elapsed)")
                }
                #expect(await stage.isAlive(), "the process died: \(stage.postmortem)")

                for (index, answer) in answers.enumerated() {
                    #expect(answer.status == 200, "request \(index): \(answer)")
                    if fault == .sseCutMidReply, index < 2, answer.provider == "bad" {
                        // Cut after the first chunks reached the client: no failover, an error event, no [DONE].
                        #expect(answer.streamErrorCode == "stream_interrupted", "request \(index): \(answer)")
                        #expect(!answer.isDone, "request \(index) must not end with [DONE]: \(answer)")
                    } else if fault == .sseCutMidReply, index < 2 {
                        // The cut can arrive with the first events, before any reached the client: then it fails
                        // over like any other failure before the first chunk.
                        #expect(answer.provider == "good", "request \(index): \(answer)")
                    } else if fault.isAbsurdUsage || fault.isRateLimit && index > 0 {
                        // Either may answer: the usage is absurd but the answer fine; the cool-down may be over.
                        #expect(["bad", "good"].contains(answer.provider ?? ""), "request \(index): \(answer)")
                    } else {
                        #expect(answer.provider == "good", "request \(index) must fail over: \(answer)")
                    }
                    if answer.header("content-type")?.contains("event-stream") == true, answer.streamErrorCode == nil {
                        #expect(answer.isDone, "request \(index): \(answer)")
                    }
                }

                // Every request and every attempt is in the ledger, finished.
                var badCalledFor: [Bool] = []
                for (index, answer) in answers.enumerated() {
                    let id = try #require(answer.requestID, "request \(index) has no request id: \(answer)")
                    let row = try await stage.finishedRequest(id)
                    let attempts = try stage.ledger.attempts(id)
                    #expect(!attempts.isEmpty, "request \(index) has no attempts")
                    #expect(!attempts.contains { $0.outcome == "started" }, "\(attempts)")
                    #expect(row.attemptCount == attempts.count, "\(row) vs \(attempts)")
                    badCalledFor.append(attempts.contains { $0.provider == "bad" })
                    if badCalledFor[index], !fault.isAbsurdUsage, !(fault.isRateLimit && index > 0) {
                        let bad = attempts.first { $0.provider == "bad" }
                        #expect(
                            bad.map { ["error", "timeout", "rate_limited"].contains($0.outcome) } == true,
                            "request \(index): \(attempts)")
                    }
                    #expect(attempts.allSatisfy { $0.costMicros >= 0 }, "\(attempts)")
                    if fault == .sseCutMidReply, index < 2 {
                        // The words that reached the client were produced, so billed (estimated).
                        #expect(row.costMicros > 0 && row.tokensEstimated, "\(row)")
                    }
                }
                // The breaker: two consecutive failures open it, so the third request skips the faulty provider.
                if fault.opensBreaker {
                    #expect(badCalledFor == [true, true, false], "requests with an attempt on the faulty provider")
                    let transitions = try stage.ledger.transitions("bad").map { "\($0.from)→\($0.to)" }
                    #expect(transitions == ["closed→open"], "bad's breaker_transitions")
                } else if fault.isRateLimit {
                    #expect(try stage.ledger.transitions("bad").isEmpty, "a 429 never opens the breaker")
                }
                #expect(try stage.ledger.transitions("good").isEmpty)

                let recorded = try stage.ledger.allAttempts()
                if fault != .connectionRefused {
                    #expect(
                        recorded.filter { $0.provider == "bad" }.count == up.calls("bad"),
                        "every call the faulty provider received is an attempt row")
                }
                #expect(recorded.filter { $0.provider == "good" }.count == up.calls("good"))
                let negative = try stage.ledger.count(
                    "SELECT count(*) FROM requests WHERE prompt_tokens < 0 OR completion_tokens < 0 OR cost_usd_micros < 0"
                )
                #expect(negative == 0, "no negative tokens or money in the ledger")
                let verify = try await Switchyard.run([
                    "budget", "verify", "--config", stage.configPath, "--db", stage.databasePath,
                ])
                #expect(verify.status == 0, "\(verify)")
                let spent = try stage.ledger.budget("matrix").spent
                #expect(spent <= 1_000_000, "spend passed the $1.00 limit: \(spent)")
                Figures.record("fault-\(fault.rawValue)", ["requests_under_faults": answers.count])
            }
        }

        @Test(
            "a Retry-After cool-down, however absurd, ends after defaults.retry.max_retry_after_ms",
            arguments: UpstreamFault.allCases.filter(\.isRateLimit))
        func retryAfterIsCapped(_ fault: UpstreamFault) async throws {
            let closedPort = try await FakeUpstream.closedPort()
            try await Stage.run(
                "retry-cap-\(fault.rawValue)",
                config: { upstream in
                    upstream.script("bad") { call, request in fault.reply(call: call, request: request) }
                    upstream.script("good") { _, request in .answer(request, "the healthy provider answers") }
                    return Self.config(upstream, fault: fault, closedPort: closedPort, retryCap: true)
                }
            ) { stage in
                let first = try await RawHTTP.post(port: stage.port, json: chatBody("rate limited", user: "cap"))
                #expect(first.status == 200 && first.provider == "good", "\(first)")
                // Once the 200 ms cap has passed the provider is called again (and has recovered), although its
                // Retry-After asked for far longer.
                var second: HTTPExchange?
                try await eventually("the cool-down ends within max_retry_after_ms", timeout: .seconds(5)) {
                    second = try await RawHTTP.post(port: stage.port, json: chatBody("cooled down", user: "cap"))
                    return stage.upstream.calls("bad") >= 2
                }
                #expect(second?.status == 200 && second?.provider == "bad", "\(String(describing: second))")
                #expect(await stage.isAlive(), "\(stage.postmortem)")
                Figures.record("retry-cap-\(fault.rawValue)", ["requests_under_faults": 2])
            }
        }
    }
}
