import Foundation
import Testing

extension Reliability {
    @Suite("Hostile input: a seeded fuzz pass over the request decoder through the socket", .timeLimit(.minutes(2)))
    struct HostileInputTests {
        static let inputs = 3_000
        static let seed: UInt64 = 0xF022_0009
        static let maxBodyBytes = 65_536

        /// Valid requests the mutations start from: path and body.
        static let seeds: [(String, FuzzJSON)] = [
            (
                "/v1/chat/completions",
                .object([
                    ("model", .string("")),
                    ("messages", .array([.object([("role", .string("user")), ("content", .string("hi"))])])),
                    ("user", .string("fuzz")), ("max_tokens", .number("50")),
                ])
            ),
            (
                "/v1/chat/completions",
                .object([
                    ("model", .string("echo/m")),
                    (
                        "messages",
                        .array([
                            .object([("role", .string("system")), ("content", .string("be brief"))]),
                            .object([
                                ("role", .string("user")),
                                ("content", .array([.object([("type", .string("text")), ("text", .string("hi"))])])),
                            ]),
                            .object([
                                ("role", .string("assistant")), ("content", .null),
                                (
                                    "tool_calls",
                                    .array([
                                        .object([
                                            ("id", .string("call_1")), ("type", .string("function")),
                                            (
                                                "function",
                                                .object([("name", .string("f")), ("arguments", .string("{}"))])
                                            ),
                                        ])
                                    ])
                                ),
                            ]),
                            .object([
                                ("role", .string("tool")), ("tool_call_id", .string("call_1")),
                                ("content", .string("42")),
                            ]),
                        ])
                    ),
                    ("temperature", .number("0.7")), ("top_p", .number("1")), ("stop", .array([.string("x")])),
                    (
                        "tools",
                        .array([
                            .object([
                                ("type", .string("function")),
                                (
                                    "function",
                                    .object([
                                        ("name", .string("f")), ("parameters", .object([("type", .string("object"))])),
                                    ])
                                ),
                            ])
                        ])
                    ),
                    ("tool_choice", .string("auto")), ("n", .number("1")),
                    (
                        "switchyard",
                        .object([
                            ("priority", .string("cost")), ("max_cost_usd", .number("0.5")),
                            ("timeout_ms", .number("5000")),
                        ])
                    ),
                ])
            ),
            (
                "/v1/chat/completions",
                .object([
                    ("messages", .array([.object([("role", .string("user")), ("content", .string("stream it"))])])),
                    ("stream", .bool(true)), ("stream_options", .object([("include_usage", .bool(true))])),
                    ("max_completion_tokens", .number("20")),
                ])
            ),
            (
                "/chat/completions",
                .object([
                    ("prompt", .string("hi")),
                    (
                        "preferences",
                        .object([
                            ("priority", .string("speed")), ("max_cost_per_request", .number("0.01")),
                            ("timeout_ms", .number("5000")),
                        ])
                    ),
                    ("user_id", .string("fuzz")), ("model", .string("")),
                ])
            ),
        ]

        /// Whole bodies that are not requests at all.
        static let oddBodies: [[UInt8]] = [
            [], Array("null".utf8), Array("[]".utf8), Array("42".utf8), Array(#""str""#.utf8), Array("{".utf8),
            Array("{}".utf8), [0xEF, 0xBB, 0xBF] + Array(#"{"messages":[{"role":"user","content":"bom"}]}"#.utf8),
            Array(repeating: 0x20, count: 70_000),
            Array(#"{"messages":[{"role":"user","content":""#.utf8)
                + Array(repeating: 0x61, count: 70_000) + Array(#""}]}"#.utf8),
        ]

        @Test("every mutated request gets a 200 or a 4xx JSON error; never a 5xx; the process stays up")
        func fuzzRequestDecoder() async throws {
            try await Stage.run(
                "hostile-input",
                config: { upstream in
                    upstream.script("echo") { _, request in .answer(request, "fuzz answer") }
                    return baseConfig(
                        """
                        providers:
                          - name: echo
                            kind: openai
                            base_url: \(upstream.baseURL("echo"))
                            models: [m]
                        """, server: "  max_body_bytes: \(Self.maxBodyBytes)")
                }
            ) { stage in
                var mutator = Mutator(random: SeededRandom(seed: Self.seed))
                var inputs: [(String, [UInt8])] = Self.oddBodies.map { ("/v1/chat/completions", $0) }
                while inputs.count < Self.inputs {
                    let (path, document) = mutator.pick(Self.seeds)
                    var bytes = mutator.mutate(document).bytes
                    if mutator.chance(0.3) { bytes = mutator.damage(bytes) }
                    inputs.append((path, bytes))
                }
                let port = stage.port
                let sent = inputs
                let answers = await concurrently(sent.count, width: 8) { index in
                    await attempt {
                        try await RawHTTP.send(
                            port: port, path: sent[index].0, body: sent[index].1, timeout: .seconds(20))
                    }
                }
                var statuses: [Int: Int] = [:]
                var bad: [String] = []
                for (index, result) in answers.enumerated() {
                    let input = String(decoding: inputs[index].1.prefix(300), as: UTF8.self).debugDescription
                    switch result {
                    case .success(let answer):
                        statuses[answer.status, default: 0] += 1
                        if (200..<300).contains(answer.status) { continue }
                        if (400..<500).contains(answer.status), answer.errorCode != nil { continue }
                        bad.append("#\(index) \(inputs[index].0) \(input) → \(answer)")
                    case .failure(let error):
                        bad.append("#\(index) \(inputs[index].0) \(input) → no answer: \(error)")
                    }
                }
                let examples = bad.prefix(10).joined(separator: "\n")
                #expect(
                    bad.isEmpty,
                    "\(bad.count) of \(inputs.count) inputs got neither a 200 nor a 4xx JSON error:\n\(examples)")
                #expect(await stage.isAlive(), "\(stage.postmortem)")
                print("hostile input: \(inputs.count) inputs; statuses \(statuses.sorted { $0.key < $1.key })")
                Figures.record("hostile-input", ["inputs_tried": inputs.count])
            }
        }
    }
}
