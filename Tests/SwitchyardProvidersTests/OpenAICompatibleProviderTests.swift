import HTTPTypes
import SwitchyardCore
import SwitchyardProviders
import Testing

@Suite("OpenAI-compatible provider", .timeLimit(.minutes(1)))
struct OpenAICompatibleProviderTests {
    static let weather = ToolDefinition(
        name: "get_weather", description: "Weather of a city",
        parameters: .object([
            "type": .string("object"),
            "properties": .object(["city": .object(["type": .string("string")])]),
            "required": .array([.string("city")]),
        ]))

    @Test func sendsTheRequestInOpenAIShape() async throws {
        try await withTestClient { client in
            try await withFakeUpstream({ _ in Reply.json(Wire.hello(.openAI)) }) { upstream in
                let provider = makeProvider(.openAI, baseURL: upstream.baseURL, client: client)
                let request = ChatRequest(
                    model: "gpt-test",
                    messages: [ChatMessage(role: .developer, content: "be brief"), .user("hi")],
                    tools: [Self.weather], toolChoice: .function("get_weather"), temperature: 0.5, topP: 0.9,
                    maxTokens: 64, stop: ["END"], user: "u1")
                _ = try await provider.chat(request, options: .init())
                let sent = try #require(upstream.requests.first)
                #expect(sent.method == "POST")
                #expect(sent.headers["authorization"] == "Bearer \(testKey)")
                #expect(sent.headers["content-type"] == "application/json")
                #expect(sent.json("model") == .string("gpt-test"))
                #expect(sent.json("messages", 0, "role") == .string("system"))
                #expect(sent.json("messages", 1, "content") == .string("hi"))
                #expect(sent.json("tools", 0, "type") == .string("function"))
                #expect(sent.json("tools", 0, "function", "name") == .string("get_weather"))
                #expect(sent.json("tools", 0, "function", "parameters", "required", 0) == .string("city"))
                #expect(sent.json("tool_choice", "function", "name") == .string("get_weather"))
                #expect(sent.json("temperature") == .number(0.5))
                #expect(sent.json("top_p") == .number(0.9))
                #expect(sent.json("max_tokens") == .number(64))
                #expect(sent.json("stop", 0) == .string("END"))
                #expect(sent.json("user") == .string("u1"))
                #expect(sent.json("stream") == nil)
            }
        }
    }

    @Test func localServersNeedNoKey() async throws {
        try await withTestClient { client in
            try await withFakeUpstream({ _ in Reply.json(Wire.hello(.openAI)) }) { upstream in
                let provider = OpenAICompatibleProvider(
                    name: "lmstudio",
                    configuration: .init(baseURL: upstream.baseURL + "/v1/", maxTokensField: .maxCompletionTokens),
                    httpClient: client)
                _ = try await provider.chat(helloRequest, options: .init())
                let sent = try #require(upstream.requests.first)
                #expect(sent.uri == "/v1/chat/completions")
                #expect(sent.headers["authorization"] == nil)
                #expect(sent.json("max_completion_tokens") == .number(50))
                #expect(sent.json("max_tokens") == nil)
            }
        }
    }

    @Test func roundTripsToolCalls() async throws {
        try await withTestClient { client in
            let handler: FakeUpstream.Handler = { request in
                if request.body.contains(#""role":"tool""#) {
                    return Reply.json(
                        #"{"id":"c2","model":"m","choices":[{"message":{"role":"assistant","content":"It is sunny."},"finish_reason":"stop"}],"usage":{"prompt_tokens":30,"completion_tokens":4}}"#
                    )
                }
                return Reply.json(
                    #"{"id":"c1","model":"m","choices":[{"message":{"role":"assistant","content":null,"tool_calls":[{"id":"call_9","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}}]},"finish_reason":"tool_calls"}],"usage":{"prompt_tokens":20,"completion_tokens":9}}"#
                )
            }
            try await withFakeUpstream(handler) { upstream in
                let provider = makeProvider(.openAI, baseURL: upstream.baseURL, client: client)
                var request = ChatRequest(model: "m", messages: [.user("Weather in Paris?")], tools: [Self.weather])
                let first = try await provider.chat(request, options: .init())
                #expect(first.finishReason == .toolCalls)
                #expect(first.content == nil)
                #expect(
                    first.toolCalls == [ToolCall(id: "call_9", name: "get_weather", arguments: #"{"city":"Paris"}"#)])

                request.messages.append(ChatMessage(role: .assistant, content: nil, toolCalls: first.toolCalls))
                request.messages.append(ChatMessage(role: .tool, content: #"{"sky":"sunny"}"#, toolCallID: "call_9"))
                let second = try await provider.chat(request, options: .init())
                #expect(second.content == "It is sunny.")
                let sent = try #require(upstream.requests.last)
                #expect(sent.json("messages", 1, "tool_calls", 0, "id") == .string("call_9"))
                #expect(
                    sent.json("messages", 1, "tool_calls", 0, "function", "arguments")
                        == .string(#"{"city":"Paris"}"#))
                #expect(sent.json("messages", 2, "tool_call_id") == .string("call_9"))
            }
        }
    }

    @Test func madeUpCallIDsAreUniqueAcrossAnswers() async throws {
        try await withTestClient { client in
            // Some local servers leave the id out.
            let body =
                #"{"id":"c1","model":"m","choices":[{"message":{"role":"assistant","content":null,"tool_calls":[{"type":"function","function":{"name":"get_weather","arguments":"{}"}}]},"finish_reason":"tool_calls"}]}"#
            try await withFakeUpstream({ _ in Reply.json(body) }) { upstream in
                let provider = makeProvider(.openAI, baseURL: upstream.baseURL, client: client)
                var ids: [String] = []
                for _ in 0..<3 { ids += try await provider.chat(helloRequest, options: .init()).toolCalls.map(\.id) }
                #expect(ids.count == 3)
                #expect(Set(ids).count == 3)
                #expect(ids.allSatisfy(isMadeUpID))
            }
        }
    }

    @Test func streamsToolCallDeltasAndAsksForUsage() async throws {
        try await withTestClient { client in
            let pieces = Reply.sse([
                #"{"choices":[{"index":0,"delta":{"role":"assistant","tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"get_weather","arguments":""}}]}}]}"#,
                #"{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"city\":"}}]}}]}"#,
                #"{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"\"Oslo\"}"}}]}}]}"#,
                #"{"choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}"#,
                #"{"choices":[],"usage":{"prompt_tokens":12,"completion_tokens":7}}"#,
                "[DONE]",
            ])
            try await withFakeUpstream({ _ in Reply.events(pieces) }) { upstream in
                let provider = makeProvider(.openAI, baseURL: upstream.baseURL, client: client)
                let request = ChatRequest(model: "m", messages: [.user("Oslo?")], tools: [Self.weather])
                let (chunks, error) = await drain(try await provider.streamChat(request, options: .init()))
                #expect(error == nil)
                let deltas = chunks.flatMap(\.toolCallDeltas)
                #expect(deltas.first == ToolCallDelta(index: 0, id: "call_1", name: "get_weather", argumentsDelta: ""))
                #expect(deltas.compactMap(\.argumentsDelta).joined() == #"{"city":"Oslo"}"#)
                #expect(chunks.last?.finishReason == .toolCalls)
                #expect(chunks.last?.usage == TokenUsage(promptTokens: 12, completionTokens: 7))
                let sent = try #require(upstream.requests.first)
                #expect(sent.json("stream") == .bool(true))
                #expect(sent.json("stream_options", "include_usage") == .bool(true))
            }
        }
    }

    @Test func estimatesUsageWhenAServerSendsNone() async throws {
        try await withTestClient { client in
            let pieces = Reply.sse([
                #"{"choices":[{"index":0,"delta":{"content":"Sixteen chars!!!"}}]}"#,
                #"{"choices":[{"index":0,"delta":{},"finish_reason":"length"}]}"#,
            ])  // and no [DONE]: a server that omits it still finishes once a finish reason came
            try await withFakeUpstream({ _ in Reply.events(pieces) }) { upstream in
                let provider = makeProvider(.openAI, baseURL: upstream.baseURL, client: client)
                let (chunks, error) = await drain(try await provider.streamChat(helloRequest, options: .init()))
                #expect(error == nil)
                let last = try #require(chunks.last)
                #expect(last.finishReason == .length)
                let usage = try #require(last.usage)
                #expect(usage.isEstimated)
                #expect(usage.completionTokens == 4)
                #expect(usage.promptTokens == TokenEstimator.expectedPromptTokens(helloRequest))
            }
        }
    }

    @Test func anErrorInsideTheStreamInterruptsIt() async throws {
        try await withTestClient { client in
            let pieces = Reply.sse([
                #"{"choices":[{"index":0,"delta":{"content":"partial"}}]}"#,
                #"{"error":{"message":"model crashed","type":"server_error"}}"#,
            ])
            try await withFakeUpstream({ _ in Reply.events(pieces) }) { upstream in
                let provider = makeProvider(.openAI, baseURL: upstream.baseURL, client: client)
                let (chunks, error) = await drain(try await provider.streamChat(helloRequest, options: .init()))
                #expect(text(of: chunks) == "partial")
                let failure = try #require(error as? ProviderError)
                #expect(failure.code == .streamInterrupted)
                #expect(failure.message.contains("model crashed"))
            }
        }
    }

    @Test func badJSONInAStreamIsMalformed() async throws {
        try await withTestClient { client in
            let pieces = Reply.sse([#"{"choices":[{"index":0,"delta":{"content":"#])
            try await withFakeUpstream({ _ in Reply.events(pieces) }) { upstream in
                let provider = makeProvider(.openAI, baseURL: upstream.baseURL, client: client)
                let (_, error) = await drain(try await provider.streamChat(helloRequest, options: .init()))
                #expect((error as? ProviderError)?.code == .malformedResponse)
            }
        }
    }

    @Test func aJSONAnswerToAStreamRequestIsMalformed() async throws {
        try await withTestClient { client in
            try await withFakeUpstream({ _ in Reply.json(Wire.hello(.openAI)) }) { upstream in
                let provider = makeProvider(.openAI, baseURL: upstream.baseURL, client: client)
                let error = await providerError { _ = try await provider.streamChat(helloRequest, options: .init()) }
                #expect(error?.code == .malformedResponse)
            }
        }
    }
}
