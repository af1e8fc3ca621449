import AsyncHTTPClient
import SwitchyardCore
import SwitchyardProviders
import Testing

/// A conversation with tool calls that moves between provider kinds mid-session, through fake upstreams that refuse
/// what the real APIs refuse (``StrictOpenAIUpstream``, ``StrictGeminiUpstream``, ``StrictAnthropicUpstream``).
@Suite("Cross-kind conversations", .timeLimit(.minutes(1)))
struct CrossKindConversationTests {
    static let time = ToolDefinition(
        name: "get_time", description: "Local time of a city",
        parameters: .object([
            "type": .string("object"),
            "properties": .object(["city": .object(["type": .string("string")])]),
        ]))

    /// OpenAI → Gemini (four answers: two calls without ids, one with Gemini's id, then text) → Anthropic (a call,
    /// then text) → OpenAI, with a temperature of 1.5 (valid for OpenAI and Gemini, above Anthropic's 1) throughout.
    @Test(arguments: [false, true])
    func aToolConversationMovesFromOpenAIToGeminiToAnthropicAndBack(stream: Bool) async throws {
        let openAIAnswers = ScriptedAnswers([
            ScriptedAnswer(calls: [
                ScriptedCall(id: "call_oa1", name: "get_weather", arguments: ["city": .string("Paris")])
            ]),
            ScriptedAnswer(text: "Paris sunny, Rome rainy, Oslo cold; it is noon in Paris."),
        ])
        let geminiAnswers = ScriptedAnswers([
            ScriptedAnswer(calls: [ScriptedCall(id: nil, name: "get_weather", arguments: ["city": .string("Rome")])]),
            ScriptedAnswer(calls: [ScriptedCall(id: nil, name: "get_time", arguments: ["city": .string("Rome")])]),
            ScriptedAnswer(calls: [
                ScriptedCall(id: "fc-gem-1", name: "get_weather", arguments: ["city": .string("Oslo")])
            ]),
            ScriptedAnswer(text: "Noted."),
        ])
        let anthropicAnswers = ScriptedAnswers([
            ScriptedAnswer(calls: [
                ScriptedCall(id: "toolu_01", name: "get_time", arguments: ["city": .string("Paris")])
            ]),
            ScriptedAnswer(text: "Noon in Paris."),
        ])
        try await withTestClient { client in
            try await withFakeUpstream(StrictOpenAIUpstream.handler(openAIAnswers)) { openAIUpstream in
                try await withFakeUpstream(StrictGeminiUpstream.handler(geminiAnswers)) { geminiUpstream in
                    try await withFakeUpstream(StrictAnthropicUpstream.handler(anthropicAnswers)) {
                        anthropicUpstream in
                        let openAI = makeProvider(.openAI, baseURL: openAIUpstream.baseURL, client: client)
                        let gemini = makeProvider(.gemini, baseURL: geminiUpstream.baseURL, client: client)
                        let anthropic = makeProvider(.anthropic, baseURL: anthropicUpstream.baseURL, client: client)
                        var conversation = Conversation(stream: stream)

                        try await conversation.ask(openAI, expectingCalls: 1)
                        try await conversation.ask(gemini, expectingCalls: 1)
                        try await conversation.ask(gemini, expectingCalls: 1)
                        try await conversation.ask(gemini, expectingCalls: 1)
                        #expect(conversation.callIDs.last == "fc-gem-1")
                        try await conversation.ask(gemini, expectingCalls: 0)
                        conversation.request.messages.append(.user("And the time in Paris?"))
                        try await conversation.ask(anthropic, expectingCalls: 1)
                        try await conversation.ask(anthropic, expectingCalls: 0)
                        conversation.request.messages.append(.user("Summarise."))
                        let last = try await conversation.ask(openAI, expectingCalls: 0)
                        #expect(last == "Paris sunny, Rome rainy, Oslo cold; it is noon in Paris.")

                        // Every call of the conversation has its own id; the ones Switchyard made up say so.
                        let ids = conversation.callIDs
                        #expect(ids.count == 5)
                        #expect(Set(ids).count == ids.count)
                        #expect(isMadeUpID(ids[1]) && isMadeUpID(ids[2]))
                        // Gemini got its own id back on the call and on the response; not the made-up ones.
                        let echoed = try #require(geminiUpstream.requests.last)
                        let gemParts = (echoed.json("contents")?.arrayValue ?? []).flatMap {
                            $0["parts"]?.arrayValue ?? []
                        }
                        let sentIDs = gemParts.compactMap {
                            ($0["functionCall"] ?? $0["functionResponse"])?["id"]?.stringValue
                        }
                        #expect(!sentIDs.contains { $0.hasPrefix("call_sy_") })
                        #expect(sentIDs.filter { $0 == "fc-gem-1" }.count == 2)
                        // OpenAI's id cannot be told from Gemini's: it goes too, on the call and its response.
                        #expect(sentIDs.filter { $0 == "call_oa1" }.count == 2)
                        // Anthropic got the temperature within its range.
                        #expect(anthropicUpstream.requests.allSatisfy { $0.json("temperature") == .number(1) })
                        #expect(openAIUpstream.requests.allSatisfy { $0.json("temperature") == .number(1.5) })
                        #expect(
                            geminiUpstream.requests.allSatisfy {
                                $0.json("generationConfig", "temperature") == .number(1.5)
                            })
                    }
                }
            }
        }
    }
}

/// A conversation held by the caller, as a client of Switchyard holds it: each answer's tool calls are appended with
/// a result for each, and the next question goes to whichever provider comes next.
private struct Conversation {
    let stream: Bool
    var request = ChatRequest(
        model: "m", messages: [.user("Weather in Paris, Rome and Oslo, and the time?")],
        tools: [OpenAICompatibleProviderTests.weather, CrossKindConversationTests.time], temperature: 1.5,
        maxTokens: 100)
    /// The ids of every tool call so far, in order.
    var callIDs: [String] = []

    init(stream: Bool) {
        self.stream = stream
    }

    /// Sends the conversation to `provider`, appends its answer (and a result for each call it made), and returns
    /// the answer's text.
    @discardableResult
    mutating func ask(_ provider: any LLMProvider, expectingCalls count: Int) async throws -> String {
        let (text, calls) = try await answer(provider)
        #expect(calls.count == count, "answer \(callIDs.count): \(calls.count) calls")
        request.messages.append(
            ChatMessage(role: .assistant, content: calls.isEmpty ? text : nil, toolCalls: calls.isEmpty ? nil : calls))
        for call in calls {
            callIDs.append(call.id)
            request.messages.append(ChatMessage(role: .tool, content: #"{"result":"ok"}"#, toolCallID: call.id))
        }
        return text
    }

    private func answer(_ provider: any LLMProvider) async throws -> (String, [ToolCall]) {
        guard stream else {
            let response = try await provider.chat(request, options: .init())
            return (response.content ?? "", response.toolCalls)
        }
        let (chunks, error) = await drain(try await provider.streamChat(request, options: .init()))
        if let error { throw error }
        var calls: [Int: ToolCall] = [:]
        for delta in chunks.flatMap(\.toolCallDeltas) {
            var call = calls[delta.index] ?? ToolCall(id: "", name: "", arguments: "")
            if let id = delta.id { call.id = id }
            call.name += delta.name ?? ""
            call.arguments += delta.argumentsDelta ?? ""
            calls[delta.index] = call
        }
        return (text(of: chunks), calls.keys.sorted().compactMap { calls[$0] })
    }
}
