import Foundation
import Testing

extension Reliability {
    @Suite(
        "Hostile upstream: a seeded fuzz pass over the upstream decoders (JSON, SSE, retry headers)",
        .timeLimit(.minutes(2)))
    struct UpstreamFuzzTests {
        static let requests = 400
        static let seed: UInt64 = 0x0B57_0009

        static let completion: FuzzJSON = .object([
            ("id", .string("chatcmpl-1")), ("object", .string("chat.completion")), ("created", .number("1")),
            ("model", .string("m")),
            (
                "choices",
                .array([
                    .object([
                        ("index", .number("0")),
                        ("message", .object([("role", .string("assistant")), ("content", .string("a wild answer"))])),
                        ("finish_reason", .string("stop")),
                    ])
                ])
            ),
            (
                "usage",
                .object([
                    ("prompt_tokens", .number("10")), ("completion_tokens", .number("5")),
                    ("total_tokens", .number("15")),
                ])
            ),
        ])

        static let streamEvents: [FuzzJSON] = [
            .object([
                (
                    "choices",
                    .array([.object([("index", .number("0")), ("delta", .object([("role", .string("assistant"))]))])])
                )
            ]),
            .object([
                (
                    "choices",
                    .array([.object([("index", .number("0")), ("delta", .object([("content", .string("wild "))]))])])
                )
            ]),
            .object([
                (
                    "choices",
                    .array([.object([("index", .number("0")), ("delta", .object([("content", .string("stream"))]))])])
                )
            ]),
            .object([
                (
                    "choices",
                    .array([
                        .object([("index", .number("0")), ("delta", .object([])), ("finish_reason", .string("stop"))])
                    ])
                )
            ]),
            .object([
                ("choices", .array([])),
                ("usage", .object([("prompt_tokens", .number("10")), ("completion_tokens", .number("2"))])),
            ]),
        ]

        static let retryValues = [
            "0", "-1", "1.5", "1e300", "-1e300", "99999999999999999999", "1e30", "NaN", "inf", "", "   7   ", "garbage",
            "Fri, 31 Dec 9999 23:59:59 GMT", "Mon, 01 Jan 0001 00:00:00 GMT", "Sun, 06 Nov 1994 08:49:37 GMT",
            "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994", "Thu, 99 Foo 2026 99:99:99 GMT",
        ]

        /// What the wild provider answers to call `call`: decided by the call's own seeded generator.
        static func wildReply(call: Int) -> UpstreamReply {
            var m = Mutator(random: SeededRandom(seed: seed &+ UInt64(call) &* 0x1_0000_01B3))
            switch Int.random(in: 0..<10, using: &m.random) {
            case 0...3:
                var body = m.mutate(completion).bytes
                if m.chance(0.3) { body = m.damage(body) }
                return .raw(
                    head(200, [("content-type", "application/json"), ("content-length", "\(body.count)")]) + body)
            case 4...6:
                var body: [UInt8] = []
                for (index, event) in streamEvents.enumerated() {
                    let document = m.chance(0.3) ? m.mutate(event) : event
                    var bytes = document.bytes
                    if m.chance(0.1) { bytes = m.damage(bytes) }
                    let prefix =
                        m.chance(0.9) ? "data: " : m.pick(["data:", "event: error\ndata: ", ": comment\n", "dat"])
                    let separator = m.chance(0.9) ? "\n\n" : m.pick(["\r\n\r\n", "\n", "\r\r"])
                    body += Array(prefix.utf8) + bytes + Array(separator.utf8)
                    if index == 2, m.chance(0.2) {
                        return .raw(head(200, [("content-type", "text/event-stream")]) + body)
                    }
                }
                if m.chance(0.8) { body += Array("data: [DONE]\n\n".utf8) }
                // No content-length: the body runs until the connection closes.
                return .raw(head(200, [("content-type", "text/event-stream")]) + body)
            case 7...8:
                let status = m.pick([400, 401, 402, 403, 404, 408, 409, 413, 422, 429, 500, 502, 503, 504, 529])
                var headers = [("content-type", "application/json")]
                if status == 429 {
                    // Small waits only, so the wild provider stays in rotation; the absurd ones are on 5xx.
                    if m.chance(0.5) { headers.append(("Retry-After", m.pick(["0", "0.05"]))) }
                } else if m.chance(0.7) {
                    headers.append((m.pick(["Retry-After", "retry-after-ms", "Retry-After"]), m.pick(retryValues)))
                }
                let delay = m.pick(["1e300s", "99999999999999999999s", "-5s", "s", "1.5s", "NaNs", "37s"])
                let body: [UInt8] = m.pick([
                    Array(#"{"error":{"message":"wild failure","type":"server_error"}}"#.utf8),
                    Array(
                        #"{"error":{"code":\#(status),"status":"UNAVAILABLE","details":[{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"\#(delay)"}]}}"#
                            .utf8),
                    Array(#"{"type":"error","error":{"type":"overloaded_error","message":"wild"}}"#.utf8),
                    [0xFF, 0x00, 0x7B], [],
                ])
                return .raw(head(status, headers + [("content-length", "\(body.count)")]) + body)
            default:
                return m.pick([
                    .close, .raw(Array("NOT HTTP AT ALL\r\n\r\n".utf8)), .raw(Array("HTTP/1.1 20".utf8)),
                    .raw(
                        Array(
                            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 99999\r\n\r\n{\"id\""
                                .utf8)),
                    .raw(Array("HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nZZ\r\nnot a chunk\r\n".utf8)),
                    .raw(Array("HTTP/1.1 200 OK\r\ncontent-length: -5\r\n\r\n".utf8)),
                ])
            }
        }

        static func head(_ status: Int, _ headers: [(String, String)]) -> [UInt8] {
            var text = "HTTP/1.1 \(status) Wild\r\n"
            for (name, value) in headers { text += "\(name): \(value)\r\n" }
            return Array((text + "connection: close\r\n\r\n").utf8)
        }

        @Test(
            "whatever the upstream sends, each request fails over or ends in a documented error; the process survives")
        func fuzzUpstreamDecoders() async throws {
            try await Stage.run(
                "hostile-upstream",
                config: { upstream in
                    upstream.script("wild") { call, _ in Self.wildReply(call: call) }
                    upstream.script("steady") { _, request in .answer(request, "steady answer") }
                    return baseConfig(
                        """
                        defaults:
                          retry: {max_attempts: 1}
                        providers:
                          - name: wild
                            kind: openai
                            base_url: \(upstream.baseURL("wild"))
                            models: [{name: m, input_usd_per_mtok: 1.00, output_usd_per_mtok: 2.00}]
                            timeout: {connect_ms: 500, first_byte_ms: 1000, idle_ms: 1000, total_ms: 3000}
                            # Never taken out of rotation, so every request reaches the wild provider first.
                            circuit_breaker: {failure_threshold: 1000000, window_size: 100000, minimum_calls: 100000}
                          - name: steady
                            kind: openai
                            base_url: \(upstream.baseURL("steady"))
                            models: [{name: m, input_usd_per_mtok: 1.00, output_usd_per_mtok: 2.00}]
                        routes:
                          - name: default
                            tiers:
                              - {name: first, targets: [wild/m]}
                              - {name: second, targets: [steady/m]}
                        """)
                }
            ) { stage in
                let port = stage.port
                var random = SeededRandom(seed: Self.seed)
                let streams = (0..<Self.requests).map { _ in Bool.random(using: &random) }
                let answers = await concurrently(Self.requests, width: 4) { index in
                    await attempt {
                        try await RawHTTP.post(
                            port: port, json: chatBody("wild \(index)", user: "wild", stream: streams[index]),
                            timeout: .seconds(20))
                    }
                }
                var bad: [String] = []
                for (index, result) in answers.enumerated() {
                    guard case .success(let answer) = result else {
                        bad.append("#\(index): no answer: \(result)")
                        continue
                    }
                    switch answer.status {
                    case 200 where streams[index]:
                        if !answer.isDone, answer.streamErrorCode != "stream_interrupted" {
                            bad.append(
                                "#\(index): a stream that neither ended with [DONE] nor said it broke: \(answer)")
                        }
                    case 200:
                        if answer.json?["choices"] == nil { bad.append("#\(index): \(answer)") }
                    case 400 where answer.errorCode == "bad_request":
                        break  // the wild provider said the request was invalid: no failover, by design
                    default:
                        bad.append("#\(index): \(answer)")
                    }
                }
                let examples = bad.prefix(10).joined(separator: "\n")
                #expect(bad.isEmpty, "\(bad.count) of \(Self.requests) requests ended badly:\n\(examples)")
                guard await stage.isAlive() else {
                    // wildReply(call:) replays what the wild provider sent; the fatal one is among the last calls.
                    Issue.record(
                        "the process died after \(stage.upstream.calls("wild")) wild replies: \(stage.postmortem)")
                    return
                }
                try await stage.waitUntilSettled()
                let recorded = try stage.ledger.allAttempts()
                #expect(recorded.filter { $0.provider == "wild" }.count == stage.upstream.calls("wild"))
                #expect(!recorded.contains { $0.outcome == "started" })
                let verify = try await Switchyard.run([
                    "budget", "verify", "--config", stage.configPath, "--db", stage.databasePath,
                ])
                #expect(verify.status == 0, "\(verify)")
                print(
                    "hostile upstream: \(stage.upstream.calls("wild")) wild replies, \(stage.upstream.calls("steady")) failovers"
                )
                Figures.record(
                    "hostile-upstream",
                    ["upstream_replies_tried": stage.upstream.calls("wild"), "requests_under_faults": Self.requests])
            }
        }
    }
}
