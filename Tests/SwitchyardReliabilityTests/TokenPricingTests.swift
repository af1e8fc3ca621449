import Foundation
import GRDB
import Testing

extension Reliability {
    /// Every part of a provider's usage is billed at its own price, through the built binary: each provider kind's
    /// usage fields as its API documents them, answered whole and streamed, against micro-dollars computed by hand.
    @Suite("Cached, cache-write, reasoning and long-context tokens are billed as the provider bills them",
        .timeLimit(.minutes(2)))
    struct TokenPricingTests {
        /// Prices in dollars per million tokens:
        /// - `oai/gpt-x` (openai): input 2.50, output 10.00, cached input 1.25; reasoning at the output price.
        /// - `claude/sonnet` (anthropic): input 3.00, output 15.00; its cache prices are Anthropic's published
        ///   multiples: read 0.30, 5-minute write 3.75, 1-hour write 6.00.
        /// - `gem/pro` (gemini): input 1.25, output 10.00, cached 0.125; above 2,000 prompt tokens input 2.50,
        ///   output 15.00, cached 0.25.
        static func config(_ upstream: FakeUpstream) -> String {
            baseConfig(
                """
                defaults:
                  retry: {max_attempts: 1}
                providers:
                  - name: oai
                    kind: openai
                    base_url: \(upstream.baseURL("oai"))
                    models:
                      - {name: gpt-x, input_usd_per_mtok: 2.50, output_usd_per_mtok: 10.00, cached_input_usd_per_mtok: 1.25}
                  - name: claude
                    kind: anthropic
                    base_url: http://127.0.0.1:\(upstream.port)/claude
                    models:
                      - {name: sonnet, input_usd_per_mtok: 3.00, output_usd_per_mtok: 15.00}
                  - name: gem
                    kind: gemini
                    base_url: http://127.0.0.1:\(upstream.port)/gem
                    models:
                      - name: pro
                        input_usd_per_mtok: 1.25
                        output_usd_per_mtok: 10.00
                        cached_input_usd_per_mtok: 0.125
                        long_context:
                          above_prompt_tokens: 2000
                          input_usd_per_mtok: 2.50
                          output_usd_per_mtok: 15.00
                          cached_input_usd_per_mtok: 0.25
                """)
        }

        /// Long enough that its upper bound (a token per byte) covers every count the fakes report.
        static let prompt = String(repeating: "a", count: 12_000)

        struct Parts: Equatable, CustomStringConvertible {
            var prompt: Int
            var completion: Int
            var cached: Int
            var cacheWrite: Int
            var cacheWrite1h: Int
            var reasoning: Int
            var description: String {
                "prompt \(prompt) (cached \(cached), writes \(cacheWrite)+\(cacheWrite1h)), completion \(completion) "
                    + "(reasoning \(reasoning))"
            }
        }

        struct Case: Sendable {
            var name: String
            var model: String
            var stream: Bool
            var reply: UpstreamReply
            var parts: (Int, Int, Int, Int, Int, Int)
            var expectedMicros: Int64
        }

        static let cases: [Case] = [
            // 500 × 2.50 + 1,500 × 1.25 + 100 × 10.00 + 300 × 10.00 = 7,125 µ$ (9,000 if cached were plain input).
            Case(
                name: "openai, whole: cached_tokens and reasoning_tokens", model: "oai/gpt-x", stream: false,
                reply: .completion(
                    "ok",
                    usageJSON: #"{"prompt_tokens":2000,"completion_tokens":400,"total_tokens":2400,"prompt_tokens_details":{"cached_tokens":1500},"completion_tokens_details":{"reasoning_tokens":300}}"#
                ),
                parts: (2000, 400, 1500, 0, 0, 300), expectedMicros: 7_125),
            // 975 × 2.50 + 1,024 × 1.25 + 222 × 10.00 + 111 × 10.00 = 7,047.5 µ$, rounded up.
            Case(
                name: "openai, streamed: the usage chunk's details", model: "oai/gpt-x", stream: true,
                reply: .streamed(
                    ["o", "k"],
                    usageJSON: #"{"prompt_tokens":1999,"completion_tokens":333,"total_tokens":2332,"prompt_tokens_details":{"cached_tokens":1024},"completion_tokens_details":{"reasoning_tokens":111}}"#
                ),
                parts: (1999, 333, 1024, 0, 0, 111), expectedMicros: 7_048),
            // 200 × 3.00 + 1,000 × 0.30 + 500 × 3.75 + 300 × 6.00 + 150 × 15.00 = 6,825 µ$ (8,250 as plain input).
            Case(
                name: "anthropic, whole: cache reads, 5-minute and 1-hour writes", model: "claude/sonnet",
                stream: false,
                reply: .respond(
                    status: 200, headers: [("content-type", "application/json")],
                    body: #"{"id":"msg_1","type":"message","role":"assistant","model":"sonnet","content":[{"type":"text","text":"ok"}],"stop_reason":"end_turn","usage":{"input_tokens":200,"cache_read_input_tokens":1000,"cache_creation_input_tokens":800,"cache_creation":{"ephemeral_5m_input_tokens":500,"ephemeral_1h_input_tokens":300},"output_tokens":150}}"#
                ),
                parts: (2000, 150, 1000, 500, 300, 0), expectedMicros: 6_825),
            // message_start's input counts (cache reads and both writes), message_delta's output:
            // 7 × 3.00 + 1,200 × 0.30 + 100 × 3.75 + 200 × 6.00 + 77 × 15.00 = 3,111 µ$.
            Case(
                name: "anthropic, streamed: message_start and message_delta usage", model: "claude/sonnet",
                stream: true,
                reply: .stream(
                    events: [
                        #"{"type":"message_start","message":{"id":"msg_2","type":"message","role":"assistant","model":"sonnet","content":[],"stop_reason":null,"usage":{"input_tokens":7,"cache_read_input_tokens":1200,"cache_creation_input_tokens":300,"cache_creation":{"ephemeral_5m_input_tokens":100,"ephemeral_1h_input_tokens":200},"output_tokens":1}}}"#,
                        #"{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}"#,
                        #"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"ok"}}"#,
                        #"{"type":"content_block_stop","index":0}"#,
                        #"{"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":77}}"#,
                        #"{"type":"message_stop"}"#,
                    ], ending: .end),
                parts: (1507, 77, 1200, 100, 200, 0), expectedMicros: 3_111),
            // Below the tier: 800 × 1.25 + 1,000 × 0.125 + 100 × 10.00 + 50 × 10.00 = 2,625 µ$.
            Case(
                name: "gemini, whole: cachedContentTokenCount and thoughtsTokenCount", model: "gem/pro", stream: false,
                reply: .respond(
                    status: 200, headers: [("content-type", "application/json")],
                    body: #"{"candidates":[{"content":{"parts":[{"text":"ok"}],"role":"model"},"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":1800,"cachedContentTokenCount":1000,"candidatesTokenCount":100,"thoughtsTokenCount":50,"totalTokenCount":1950}}"#
                ),
                parts: (1800, 150, 1000, 0, 0, 50), expectedMicros: 2_625),
            // Above 2,000 prompt tokens every token at the tier's prices:
            // 1,000 × 2.50 + 2,000 × 0.25 + 10 × 15.00 + 7 × 15.00 = 3,255 µ$.
            Case(
                name: "gemini, streamed: a long prompt is billed at the long-context tier", model: "gem/pro",
                stream: true,
                reply: .stream(
                    events: [
                        #"{"candidates":[{"content":{"parts":[{"text":"o"}],"role":"model"}}]}"#,
                        #"{"candidates":[{"content":{"parts":[{"text":"k"}],"role":"model"},"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":3000,"cachedContentTokenCount":2000,"candidatesTokenCount":10,"thoughtsTokenCount":7,"totalTokenCount":3017}}"#,
                    ], ending: .end),
                parts: (3000, 17, 2000, 0, 0, 7), expectedMicros: 3_255),
        ]

        /// One server for every case (six `serve` processes at once would only load the machine): each fake
        /// provider answers a call with its case, whole or streamed as the call asks.
        @Test("each provider kind's usage fields, whole and streamed")
        func billsEveryPart() async throws {
            try await Stage.run(
                "pricing",
                config: { upstream in
                    for name in ["oai", "claude", "gem"] {
                        let mine = Self.cases.filter { $0.model.hasPrefix(name + "/") }
                        upstream.script(name) { _, request in
                            (mine.first { $0.stream == request.isStream } ?? mine[0]).reply
                        }
                    }
                    return Self.config(upstream)
                }
            ) { stage in
                for (index, example) in Self.cases.enumerated() {
                    try await Self.check(example, user: "pricing-\(index)", on: stage)
                }
            }
        }

        static func check(_ example: Case, user: String, on stage: Stage) async throws {
            let answer = try await RawHTTP.post(
                port: stage.port, json: chatBody(Self.prompt, model: example.model, user: user, stream: example.stream))
            #expect(answer.status == 200, "\(example.name): \(answer)")
            let id = try #require(answer.requestID, "\(example.name)")
            let row = try await stage.finishedRequest(id)
            #expect(row.costMicros == example.expectedMicros, "\(example.name): \(row)")
            #expect(!row.tokensEstimated, "\(example.name): \(row)")
            let (prompt, completion, cached, write, write1h, reasoning) = example.parts
            let expected = Parts(
                prompt: prompt, completion: completion, cached: cached, cacheWrite: write, cacheWrite1h: write1h,
                reasoning: reasoning)
            let recorded = try stage.ledger.read { db -> (Parts, Int64, Int64?) in
                let row = try #require(
                    try Row.fetchOne(
                        db,
                        sql: """
                            SELECT prompt_tokens, completion_tokens, cached_prompt_tokens, cache_write_tokens,
                                   cache_write_1h_tokens, reasoning_tokens, cost_usd_micros, price_id
                            FROM attempts WHERE request_id = ?
                            """, arguments: [id]))
                return (
                    Parts(
                        prompt: row[0], completion: row[1], cached: row[2], cacheWrite: row[3], cacheWrite1h: row[4],
                        reasoning: row[5]), row[6], row[7]
                )
            }
            #expect(recorded.0 == expected, "\(example.name)")
            #expect(recorded.1 == example.expectedMicros, "\(example.name)")
            let priceID = try #require(recorded.2, "\(example.name): the attempt names the price it was billed at")
            let price = try stage.ledger.read { db in
                try String.fetchOne(
                    db, sql: "SELECT provider || '/' || model FROM prices WHERE id = ?", arguments: [priceID])
            }
            #expect(price == example.model, "\(example.name)")
            #expect(
                try await RawHTTP.budget(port: stage.port, user: user).spent == example.expectedMicros,
                "\(example.name)")

            // The client sees the cached and reasoning counts in OpenAI's shape.
            let usage = try #require(Self.usage(of: answer, stream: example.stream), "\(example.name): \(answer)")
            #expect(usage["prompt_tokens"] as? Int == prompt, "\(example.name)")
            #expect(usage["completion_tokens"] as? Int == completion, "\(example.name)")
            #expect(
                (usage["prompt_tokens_details"] as? [String: Any])?["cached_tokens"] as? Int == cached,
                "\(example.name)")
            #expect(
                (usage["completion_tokens_details"] as? [String: Any])?["reasoning_tokens"] as? Int == reasoning,
                "\(example.name)")
        }

        /// `usage` of the answer, or of the stream's usage chunk.
        static func usage(of answer: HTTPExchange, stream: Bool) -> [String: Any]? {
            guard stream else { return answer.json?["usage"] as? [String: Any] }
            return answer.events.compactMap { event -> [String: Any]? in
                let object = (try? JSONSerialization.jsonObject(with: Data(event.utf8))) as? [String: Any]
                return object?["usage"] as? [String: Any]
            }.last
        }
    }
}
