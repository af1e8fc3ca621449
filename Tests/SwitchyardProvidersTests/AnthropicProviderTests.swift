import HTTPTypes
import SwitchyardCore
import SwitchyardProviders
import Testing

@Suite("Anthropic provider", .timeLimit(.minutes(1)))
struct AnthropicProviderTests {
    @Test func liftsTheSystemPromptAndSetsHeaders() async throws {
        try await withTestClient { client in
            try await withFakeUpstream({ _ in Reply.json(Wire.hello(.anthropic)) }) { upstream in
                let provider = AnthropicProvider(
                    name: "claude",
                    configuration: .init(baseURL: upstream.baseURL, apiKey: APIKey(testKey), defaultMaxTokens: 321),
                    httpClient: client)
                let request = ChatRequest(
                    model: "claude-test",
                    messages: [
                        .system("be brief"), .user("hi"), .assistant("hello"), .user("again"),
                        ChatMessage(role: .developer, content: "no emoji"),
                    ],
                    temperature: 0.2, stop: ["END"], user: "u1")
                _ = try await provider.chat(request, options: .init())
                let sent = try #require(upstream.requests.first)
                #expect(sent.uri == "/v1/messages")
                #expect(sent.headers["x-api-key"] == testKey)
                #expect(sent.headers["anthropic-version"] == "2023-06-01")
                #expect(sent.headers["authorization"] == nil)
                #expect(sent.json("system") == .string("be brief\n\nno emoji"))
                #expect(sent.json("max_tokens") == .number(321))
                #expect(sent.json("messages", 0, "role") == .string("user"))
                #expect(sent.json("messages", 0, "content", 0, "text") == .string("hi"))
                #expect(sent.json("messages", 1, "role") == .string("assistant"))
                #expect(sent.json("messages", 2, "content", 0, "text") == .string("again"))
                #expect(sent.json("messages", 3) == nil)
                #expect(sent.json("stop_sequences", 0) == .string("END"))
                #expect(sent.json("metadata", "user_id") == .string("u1"))
                #expect(sent.json("temperature") == .number(0.2))
            }
        }
    }

    @Test func roundTripsToolUse() async throws {
        try await withTestClient { client in
            let handler: FakeUpstream.Handler = { request in
                if request.body.contains("tool_result") {
                    return Reply.json(
                        #"{"id":"msg_2","model":"m","content":[{"type":"text","text":"Sunny."}],"stop_reason":"max_tokens","usage":{"input_tokens":40,"output_tokens":2,"cache_read_input_tokens":100}}"#
                    )
                }
                return Reply.json(
                    #"{"id":"msg_1","model":"m","content":[{"type":"text","text":"Let me check."},{"type":"tool_use","id":"toolu_1","name":"get_weather","input":{"city":"Paris","days":3}}],"stop_reason":"tool_use","usage":{"input_tokens":20,"output_tokens":9}}"#
                )
            }
            try await withFakeUpstream(handler) { upstream in
                let provider = makeProvider(.anthropic, baseURL: upstream.baseURL, client: client)
                var request = ChatRequest(
                    model: "m", messages: [.user("Weather?")], tools: [OpenAICompatibleProviderTests.weather],
                    toolChoice: .required)
                let first = try await provider.chat(request, options: .init())
                #expect(first.finishReason == .toolCalls)
                #expect(first.content == "Let me check.")
                #expect(
                    first.toolCalls == [
                        ToolCall(id: "toolu_1", name: "get_weather", arguments: #"{"city":"Paris","days":3}"#)
                    ])
                let firstSent = try #require(upstream.requests.first)
                #expect(firstSent.json("tools", 0, "name") == .string("get_weather"))
                #expect(firstSent.json("tools", 0, "input_schema", "type") == .string("object"))
                #expect(firstSent.json("tool_choice", "type") == .string("any"))

                request.messages.append(
                    ChatMessage(role: .assistant, content: first.content, toolCalls: first.toolCalls))
                request.messages.append(ChatMessage(role: .tool, content: "sunny", toolCallID: "toolu_1"))
                request.messages.append(.user("Thanks, and summarise."))
                let second = try await provider.chat(request, options: .init())
                #expect(second.finishReason == .length)
                // 40 uncached + 100 read from the cache.
                #expect(second.usage == TokenUsage(promptTokens: 140, completionTokens: 2, cachedPromptTokens: 100))
                let sent = try #require(upstream.requests.last)
                #expect(sent.json("messages", 1, "content", 1, "type") == .string("tool_use"))
                #expect(sent.json("messages", 1, "content", 1, "input", "days") == .number(3))
                // The tool result and the next user text share one user turn.
                #expect(sent.json("messages", 2, "role") == .string("user"))
                #expect(sent.json("messages", 2, "content", 0, "type") == .string("tool_result"))
                #expect(sent.json("messages", 2, "content", 0, "tool_use_id") == .string("toolu_1"))
                #expect(sent.json("messages", 2, "content", 1, "text") == .string("Thanks, and summarise."))
                #expect(sent.json("messages", 3) == nil)
            }
        }
    }

    @Test func streamsToolUseAsToolCallDeltas() async throws {
        try await withTestClient { client in
            let pieces = Reply.sse(
                [
                    #"{"type":"message_start","message":{"id":"msg_1","model":"m","usage":{"input_tokens":25,"output_tokens":1}}}"#,
                    #"{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}"#,
                    #"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Checking"}}"#,
                    #"{"type":"content_block_stop","index":0}"#,
                    #"{"type":"ping"}"#,
                    #"{"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"toolu_7","name":"get_weather","input":{}}}"#,
                    #"{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\"city\": "}}"#,
                    #"{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"\"Rome\"}"}}"#,
                    #"{"type":"content_block_stop","index":1}"#,
                    #"{"type":"content_block_start","index":2,"content_block":{"type":"tool_use","id":"toolu_8","name":"now","input":{}}}"#,
                    #"{"type":"content_block_stop","index":2}"#,
                    #"{"type":"message_delta","delta":{"stop_reason":"tool_use"},"usage":{"output_tokens":30}}"#,
                    #"{"type":"message_stop"}"#,
                ],
                event: [
                    "message_start", "content_block_start", "content_block_delta", "content_block_stop", "ping",
                    "content_block_start", "content_block_delta", "content_block_delta", "content_block_stop",
                    "content_block_start", "content_block_stop", "message_delta", "message_stop",
                ])
            try await withFakeUpstream({ _ in Reply.events(pieces) }) { upstream in
                let provider = makeProvider(.anthropic, baseURL: upstream.baseURL, client: client)
                let (chunks, error) = await drain(try await provider.streamChat(helloRequest, options: .init()))
                #expect(error == nil)
                #expect(text(of: chunks) == "Checking")
                let deltas = chunks.flatMap(\.toolCallDeltas)
                #expect(deltas.first == ToolCallDelta(index: 0, id: "toolu_7", name: "get_weather"))
                let first = deltas.filter { $0.index == 0 }.compactMap(\.argumentsDelta).joined()
                #expect(first == #"{"city": "Rome"}"#)
                let second = deltas.filter { $0.index == 1 }
                #expect(second.first?.name == "now")
                #expect(second.compactMap(\.argumentsDelta).joined() == "{}")
                #expect(chunks.last?.finishReason == .toolCalls)
                #expect(chunks.last?.usage == TokenUsage(promptTokens: 25, completionTokens: 30))
                #expect(upstream.requests.first?.json("stream") == .bool(true))
            }
        }
    }

    @Test func anErrorEventInterruptsTheStream() async throws {
        try await withTestClient { client in
            let pieces =
                Wire.partialStream(.anthropic)
                + Reply.sse(
                    [#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#],
                    event: ["error"])
            try await withFakeUpstream({ _ in Reply.events(pieces) }) { upstream in
                let provider = makeProvider(.anthropic, baseURL: upstream.baseURL, client: client)
                let (chunks, error) = await drain(try await provider.streamChat(helloRequest, options: .init()))
                #expect(text(of: chunks) == "Hello")
                let failure = try #require(error as? ProviderError)
                #expect(failure.code == .streamInterrupted)
                #expect(failure.message.contains("overloaded_error"))
            }
        }
    }

    @Test(arguments: [(1.7, 1.0), (2.0, 1.0), (1.0, 1.0), (0.4, 0.4), (0.0, 0.0)])
    func keepsTheTemperatureInAnthropicsRange(requested: Double, sent: Double) async throws {
        try await withTestClient { client in
            try await withFakeUpstream({ _ in Reply.json(Wire.hello(.anthropic)) }) { upstream in
                let provider = makeProvider(.anthropic, baseURL: upstream.baseURL, client: client)
                // OpenAI takes 0…2, Anthropic only 0…1 and answers 400 to anything above.
                let request = ChatRequest(model: "m", messages: [.user("hi")], temperature: requested)
                _ = try await provider.chat(request, options: .init())
                #expect(upstream.requests.first?.json("temperature") == .number(sent))
            }
        }
    }

    @Test func keepsTopPInAnthropicsRange() async throws {
        try await withTestClient { client in
            try await withFakeUpstream({ _ in Reply.json(Wire.hello(.anthropic)) }) { upstream in
                let provider = makeProvider(.anthropic, baseURL: upstream.baseURL, client: client)
                _ = try await provider.chat(
                    ChatRequest(model: "m", messages: [.user("hi")], topP: 1.5), options: .init())
                _ = try await provider.chat(
                    ChatRequest(model: "m", messages: [.user("hi")], topP: 0.9), options: .init())
                #expect(upstream.requests.map { $0.json("top_p") } == [.number(1), .number(0.9)])
                #expect(upstream.requests.allSatisfy { $0.json("temperature") == nil })
            }
        }
    }

    @Test func madeUpToolUseIDsAreUniqueAcrossAnswers() async throws {
        try await withTestClient { client in
            // A tool_use block without an id, which the real API never sends but a compatible server might.
            let handler: FakeUpstream.Handler = { request in
                if request.json("stream") == .bool(true) {
                    return Reply.events(
                        Reply.sse(
                            [
                                #"{"type":"message_start","message":{"id":"msg_1","model":"m","usage":{"input_tokens":5,"output_tokens":1}}}"#,
                                #"{"type":"content_block_start","index":0,"content_block":{"type":"tool_use","name":"get_weather","input":{}}}"#,
                                #"{"type":"content_block_stop","index":0}"#,
                                #"{"type":"message_delta","delta":{"stop_reason":"tool_use"},"usage":{"output_tokens":3}}"#,
                                #"{"type":"message_stop"}"#,
                            ],
                            event: [
                                "message_start", "content_block_start", "content_block_stop", "message_delta",
                                "message_stop",
                            ]))
                }
                return Reply.json(
                    #"{"id":"msg_1","model":"m","content":[{"type":"tool_use","name":"get_weather","input":{}}],"stop_reason":"tool_use","usage":{"input_tokens":5,"output_tokens":3}}"#
                )
            }
            try await withFakeUpstream(handler) { upstream in
                let provider = makeProvider(.anthropic, baseURL: upstream.baseURL, client: client)
                var ids: [String] = []
                for _ in 0..<2 {
                    ids += try await provider.chat(helloRequest, options: .init()).toolCalls.map(\.id)
                    let (chunks, error) = await drain(try await provider.streamChat(helloRequest, options: .init()))
                    #expect(error == nil)
                    ids += chunks.flatMap(\.toolCallDeltas).compactMap(\.id)
                }
                #expect(ids.count == 4)
                #expect(Set(ids).count == 4)
                #expect(ids.allSatisfy(isMadeUpID))
            }
        }
    }

    @Test func rejectsToolArgumentsThatAreNotAnObject() async throws {
        try await withTestClient { client in
            let provider = makeProvider(.anthropic, baseURL: "http://127.0.0.1:1", client: client)
            let request = ChatRequest(
                model: "m",
                messages: [
                    ChatMessage(
                        role: .assistant, content: nil, toolCalls: [ToolCall(id: "t", name: "f", arguments: "[1,")])
                ])
            let error = await providerError { _ = try await provider.chat(request, options: .init()) }
            #expect(error?.code == .badRequest)
        }
    }
}
