import HTTPTypes
import SwitchyardCore
import SwitchyardProviders
import Testing

@Suite("Gemini provider", .timeLimit(.minutes(1)))
struct GeminiProviderTests {
    @Test func mapsMessagesToContentsAndKeepsTheKeyOutOfTheURL() async throws {
        try await withTestClient { client in
            try await withFakeUpstream({ _ in Reply.json(Wire.hello(.gemini)) }) { upstream in
                let provider = makeProvider(.gemini, baseURL: upstream.baseURL, client: client)
                let request = ChatRequest(
                    model: "models/gemini-test",
                    messages: [.system("be brief"), .user("hi"), .assistant("hello"), .user("again")],
                    tools: [OpenAICompatibleProviderTests.weather], toolChoice: .function("get_weather"),
                    temperature: 0.3, topP: 0.8, maxTokens: 99, stop: ["END"])
                _ = try await provider.chat(request, options: .init())
                let sent = try #require(upstream.requests.first)
                #expect(sent.uri == "/v1beta/models/gemini-test:generateContent")
                #expect(!sent.uri.contains(testKey))
                #expect(sent.headers["x-goog-api-key"] == testKey)
                #expect(sent.json("systemInstruction", "parts", 0, "text") == .string("be brief"))
                #expect(sent.json("contents", 0, "role") == .string("user"))
                #expect(sent.json("contents", 1, "role") == .string("model"))
                #expect(sent.json("contents", 1, "parts", 0, "text") == .string("hello"))
                #expect(sent.json("contents", 2, "parts", 0, "text") == .string("again"))
                #expect(sent.json("tools", 0, "functionDeclarations", 0, "name") == .string("get_weather"))
                #expect(
                    sent.json("tools", 0, "functionDeclarations", 0, "parametersJsonSchema", "type")
                        == .string("object"))
                #expect(sent.json("toolConfig", "functionCallingConfig", "mode") == .string("ANY"))
                #expect(
                    sent.json("toolConfig", "functionCallingConfig", "allowedFunctionNames", 0)
                        == .string("get_weather"))
                #expect(sent.json("generationConfig", "temperature") == .number(0.3))
                #expect(sent.json("generationConfig", "topP") == .number(0.8))
                #expect(sent.json("generationConfig", "maxOutputTokens") == .number(99))
                #expect(sent.json("generationConfig", "stopSequences", 0) == .string("END"))
            }
        }
    }

    @Test func roundTripsFunctionCalls() async throws {
        try await withTestClient { client in
            let handler: FakeUpstream.Handler = { request in
                if request.body.contains("functionResponse") {
                    return Reply.json(
                        #"{"candidates":[{"content":{"role":"model","parts":[{"text":"Sunny in Paris."}]},"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":30,"candidatesTokenCount":4,"thoughtsTokenCount":10}}"#
                    )
                }
                return Reply.json(
                    #"{"candidates":[{"content":{"role":"model","parts":[{"text":"thinking…","thought":true},{"functionCall":{"name":"get_weather","args":{"city":"Paris"}}}]},"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":20,"candidatesTokenCount":5}}"#
                )
            }
            try await withFakeUpstream(handler) { upstream in
                let provider = makeProvider(.gemini, baseURL: upstream.baseURL, client: client)
                var request = ChatRequest(
                    model: "m", messages: [.user("Weather?")], tools: [OpenAICompatibleProviderTests.weather])
                let first = try await provider.chat(request, options: .init())
                #expect(first.finishReason == .toolCalls)
                #expect(first.content == nil)
                let call = try #require(first.toolCalls.first)
                #expect(call.name == "get_weather")
                #expect(call.arguments == #"{"city":"Paris"}"#)

                request.messages.append(ChatMessage(role: .assistant, content: nil, toolCalls: first.toolCalls))
                request.messages.append(ChatMessage(role: .tool, content: "sunny", toolCallID: call.id))
                let second = try await provider.chat(request, options: .init())
                #expect(second.content == "Sunny in Paris.")
                // Thinking tokens are reasoning tokens, part of the completion.
                #expect(second.usage == TokenUsage(promptTokens: 30, completionTokens: 14, reasoningTokens: 10))
                let sent = try #require(upstream.requests.last)
                #expect(sent.json("contents", 1, "role") == .string("model"))
                #expect(sent.json("contents", 1, "parts", 0, "functionCall", "name") == .string("get_weather"))
                #expect(sent.json("contents", 1, "parts", 0, "functionCall", "args", "city") == .string("Paris"))
                #expect(sent.json("contents", 2, "role") == .string("user"))
                #expect(sent.json("contents", 2, "parts", 0, "functionResponse", "name") == .string("get_weather"))
                #expect(
                    sent.json("contents", 2, "parts", 0, "functionResponse", "response", "output")
                        == .string("sunny"))
            }
        }
    }

    @Test(arguments: [("MAX_TOKENS", FinishReason.length), ("SAFETY", .contentFilter), ("STOP", .stop)])
    func mapsFinishReasons(reason: String, expected: FinishReason) async throws {
        try await withTestClient { client in
            let body =
                #"{"candidates":[{"content":{"role":"model","parts":[{"text":"x"}]},"finishReason":"\#(reason)"}],"usageMetadata":{"promptTokenCount":1,"candidatesTokenCount":1}}"#
            try await withFakeUpstream({ _ in Reply.json(body) }) { upstream in
                let provider = makeProvider(.gemini, baseURL: upstream.baseURL, client: client)
                let reply = try await provider.chat(helloRequest, options: .init())
                #expect(reply.finishReason == expected)
            }
        }
    }

    @Test func aBlockedPromptIsAContentFilterFinish() async throws {
        try await withTestClient { client in
            let body = #"{"promptFeedback":{"blockReason":"SAFETY"},"usageMetadata":{"promptTokenCount":5}}"#
            try await withFakeUpstream({ _ in Reply.json(body) }) { upstream in
                let provider = makeProvider(.gemini, baseURL: upstream.baseURL, client: client)
                let reply = try await provider.chat(helloRequest, options: .init())
                #expect(reply.finishReason == .contentFilter)
                #expect(reply.content == "")
            }
        }
    }

    @Test func streamsFunctionCalls() async throws {
        try await withTestClient { client in
            let pieces = Reply.sse([
                #"{"candidates":[{"content":{"role":"model","parts":[{"text":"Checking. "}]}}]}"#,
                #"{"candidates":[{"content":{"role":"model","parts":[{"functionCall":{"name":"get_weather","args":{"city":"Oslo"}}}]},"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":8,"candidatesTokenCount":6}}"#,
            ])
            try await withFakeUpstream({ _ in Reply.events(pieces) }) { upstream in
                let provider = makeProvider(.gemini, baseURL: upstream.baseURL, client: client)
                let (chunks, error) = await drain(try await provider.streamChat(helloRequest, options: .init()))
                #expect(error == nil)
                #expect(text(of: chunks) == "Checking. ")
                let delta = try #require(chunks.flatMap(\.toolCallDeltas).first)
                #expect(delta.index == 0)
                #expect(delta.name == "get_weather")
                #expect(delta.argumentsDelta == #"{"city":"Oslo"}"#)
                #expect(chunks.last?.finishReason == .toolCalls)
                #expect(chunks.last?.usage == TokenUsage(promptTokens: 8, completionTokens: 6))
            }
        }
    }

    /// A function call Gemini sent without an id, as an answer or a stream.
    static let callWithoutID =
        #"{"candidates":[{"content":{"role":"model","parts":[{"functionCall":{"name":"get_weather","args":{"city":"Rome"}}}]},"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":8,"candidatesTokenCount":6}}"#

    @Test func madeUpCallIDsAreUniqueAcrossAnswers() async throws {
        try await withTestClient { client in
            try await withFakeUpstream({ _ in Reply.json(Self.callWithoutID) }) { upstream in
                let provider = makeProvider(.gemini, baseURL: upstream.baseURL, client: client)
                var ids: [String] = []
                for _ in 0..<3 {
                    let reply = try await provider.chat(helloRequest, options: .init())
                    ids += reply.toolCalls.map(\.id)
                }
                #expect(ids.count == 3)
                #expect(Set(ids).count == 3)
                #expect(ids.allSatisfy(isMadeUpID))
            }
        }
    }

    @Test func madeUpCallIDsAreUniqueAcrossStreamedAnswers() async throws {
        try await withTestClient { client in
            try await withFakeUpstream({ _ in Reply.events(Reply.sse([Self.callWithoutID])) }) { upstream in
                let provider = makeProvider(.gemini, baseURL: upstream.baseURL, client: client)
                var ids: [String] = []
                for _ in 0..<3 {
                    let (chunks, error) = await drain(try await provider.streamChat(helloRequest, options: .init()))
                    #expect(error == nil)
                    ids += chunks.flatMap(\.toolCallDeltas).compactMap(\.id)
                }
                #expect(ids.count == 3)
                #expect(Set(ids).count == 3)
                #expect(ids.allSatisfy(isMadeUpID))
            }
        }
    }

    @Test func echoesGeminisCallIDOnTheCallAndItsResponse() async throws {
        try await withTestClient { client in
            let handler: FakeUpstream.Handler = { request in
                if request.body.contains("functionResponse") { return Reply.json(Wire.hello(.gemini)) }
                return Reply.json(
                    #"{"candidates":[{"content":{"role":"model","parts":[{"functionCall":{"id":"fc-42","name":"get_weather","args":{"city":"Oslo"}}}]},"finishReason":"STOP"}]}"#
                )
            }
            try await withFakeUpstream(handler) { upstream in
                let provider = makeProvider(.gemini, baseURL: upstream.baseURL, client: client)
                var request = ChatRequest(
                    model: "m", messages: [.user("Oslo?")], tools: [OpenAICompatibleProviderTests.weather])
                let first = try await provider.chat(request, options: .init())
                let call = try #require(first.toolCalls.first)
                #expect(call.id == "fc-42")

                request.messages.append(ChatMessage(role: .assistant, content: nil, toolCalls: first.toolCalls))
                request.messages.append(ChatMessage(role: .tool, content: "cold", toolCallID: call.id))
                _ = try await provider.chat(request, options: .init())
                let sent = try #require(upstream.requests.last)
                #expect(sent.json("contents", 1, "parts", 0, "functionCall", "id") == .string("fc-42"))
                #expect(sent.json("contents", 2, "parts", 0, "functionResponse", "id") == .string("fc-42"))
                #expect(sent.json("contents", 2, "parts", 0, "functionResponse", "name") == .string("get_weather"))
            }
        }
    }

    @Test func sendsNoMadeUpIDToGemini() async throws {
        try await withTestClient { client in
            let handler: FakeUpstream.Handler = { request in
                if request.body.contains("functionResponse") { return Reply.json(Wire.hello(.gemini)) }
                return Reply.json(Self.callWithoutID)
            }
            try await withFakeUpstream(handler) { upstream in
                let provider = makeProvider(.gemini, baseURL: upstream.baseURL, client: client)
                var request = ChatRequest(
                    model: "m", messages: [.user("Rome?")], tools: [OpenAICompatibleProviderTests.weather])
                let first = try await provider.chat(request, options: .init())
                let call = try #require(first.toolCalls.first)
                #expect(isMadeUpID(call.id))

                request.messages.append(ChatMessage(role: .assistant, content: nil, toolCalls: first.toolCalls))
                request.messages.append(ChatMessage(role: .tool, content: "rain", toolCallID: call.id))
                _ = try await provider.chat(request, options: .init())
                let sent = try #require(upstream.requests.last)
                #expect(sent.json("contents", 1, "parts", 0, "functionCall", "name") == .string("get_weather"))
                #expect(sent.json("contents", 1, "parts", 0, "functionCall", "id") == nil)
                #expect(sent.json("contents", 2, "parts", 0, "functionResponse", "name") == .string("get_weather"))
                #expect(sent.json("contents", 2, "parts", 0, "functionResponse", "id") == nil)
            }
        }
    }

    @Test func keepsSamplingValuesInGeminisRange() async throws {
        try await withTestClient { client in
            try await withFakeUpstream({ _ in Reply.json(Wire.hello(.gemini)) }) { upstream in
                let provider = makeProvider(.gemini, baseURL: upstream.baseURL, client: client)
                // Gemini takes OpenAI's temperatures (0…2) as they are; top_p is a probability (0…1).
                let request = ChatRequest(model: "m", messages: [.user("hi")], temperature: 2, topP: 1.5)
                _ = try await provider.chat(request, options: .init())
                let sent = try #require(upstream.requests.first)
                #expect(sent.json("generationConfig", "temperature") == .number(2))
                #expect(sent.json("generationConfig", "topP") == .number(1))
            }
        }
    }

    @Test func rateLimitReadsGoogleRetryInfo() async throws {
        try await withTestClient { client in
            let body =
                #"{"error":{"code":429,"message":"Resource exhausted","status":"RESOURCE_EXHAUSTED","details":[{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"21s"}]}}"#
            try await withFakeUpstream({ _ in Reply.json(body, status: .tooManyRequests) }) { upstream in
                let provider = makeProvider(.gemini, baseURL: upstream.baseURL, client: client)
                let error = await providerError { _ = try await provider.chat(helloRequest, options: .init()) }
                #expect(error?.code == .rateLimited)
                #expect(error?.retryAfter == .seconds(21))
            }
        }
    }
}
