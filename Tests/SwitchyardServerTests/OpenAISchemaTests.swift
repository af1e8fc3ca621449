import Foundation
import HTTPTypes
import SwitchyardCore
import SwitchyardServer
import SwitchyardTesting
import Testing

/// Every shape `/v1/chat/completions` and `/v1/models` emit, validated against OpenAI's published schema
/// (`specs/openai-chat-completions.schemas.json`), through a real socket: plain answers, tool calls, streams with and
/// without `stream_options.include_usage`, errors (before and during a stream), the model list, after failover and
/// escalation too.
@Suite("OpenAI schema conformance", .timeLimit(.minutes(1)))
struct OpenAISchemaTests {
    static let completion = try! JSONSchema.openAI("CreateChatCompletionResponse")
    static let chunk = try! JSONSchema.openAI("CreateChatCompletionStreamResponse")
    static let error = try! JSONSchema.openAI("ErrorResponse")
    static let models = try! JSONSchema.openAI("ListModelsResponse")

    /// Fails the test with every violation of `schema` by `body`.
    static func expectValid(
        _ body: String, _ schema: JSONSchema, _ what: String, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let violations = schema.violations(ofJSON: body)
        #expect(violations.isEmpty, "\(what): \(violations.joined(separator: "\n"))\n\(body)", sourceLocation: sourceLocation)
    }

    /// The events of a stream, validated chunk by chunk; checks where `choices` may be empty (only the usage chunk,
    /// and only when it was asked for) and that the stream ends with `[DONE]`.
    static func expectValidStream(
        _ events: [String], includeUsage: Bool, _ what: String, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(events.last == "[DONE]", "\(what): the stream ends with [DONE]", sourceLocation: sourceLocation)
        let chunks = events.filter { $0 != "[DONE]" }
        #expect(!chunks.isEmpty, sourceLocation: sourceLocation)
        for chunk in chunks { expectValid(chunk, Self.chunk, what, sourceLocation: sourceLocation) }
        let parsed = chunks.compactMap(JSONValue.init(parsing:))
        let empty = parsed.indices.filter { parsed[$0]["choices"]?.array?.isEmpty == true }
        if includeUsage {
            #expect(empty == [parsed.count - 1], "\(what): only the last chunk has no choices", sourceLocation: sourceLocation)
            #expect(parsed.last?["usage"]?["total_tokens"]?.int != nil, sourceLocation: sourceLocation)
            #expect(
                parsed.dropLast().allSatisfy { $0["usage"] == .null }, "\(what): usage is null before the last chunk",
                sourceLocation: sourceLocation)
        } else {
            #expect(empty.isEmpty, "\(what): every chunk has a choice: \(chunks)", sourceLocation: sourceLocation)
            #expect(parsed.allSatisfy { $0["usage"] == nil }, sourceLocation: sourceLocation)
        }
        let finishes = parsed.filter { $0["choices"]?[0]?["finish_reason"]?.string != nil }
        #expect(finishes.count == 1, "\(what): one chunk says why the answer ended", sourceLocation: sourceLocation)
        #expect(
            parsed.indices.filter { parsed[$0]["switchyard"] != nil } == [parsed.count - 1],
            "\(what): the last chunk, and only it, has the summary", sourceLocation: sourceLocation)
    }

    static func stream(_ server: TestServer, _ body: String) async throws -> [String] {
        let (head, events) = try await server.openStream("/v1/chat/completions", body)
        #expect(head.status == 200)
        var reader = events
        return try await reader.rest()
    }

    static let usage = #""stream": true, "stream_options": {"include_usage": true}"#

    @Test func plainAnswersAndStreamsFromAnUpstream() async throws {
        let handler: FakeUpstream.Handler = { request in
            request.json?["stream"]?.bool == true
                ? OpenAIReply.events(OpenAIReply.streamStart + OpenAIReply.streamEnd) : OpenAIReply.answer("hi")
        }
        try await withFakeUpstream(handler) { upstream in
            try await withServer(try Configs.primaryOnly(upstream)) { server in
                let plain = try await server.post("/v1/chat/completions", chatBody(model: "primary/gpt-test"))
                #expect(plain.status == 200)
                Self.expectValid(plain.body, Self.completion, "a plain answer")
                let message = try #require(plain.json?["choices"]?[0]?["message"])
                #expect(message["refusal"] == .null)
                #expect(plain.json?["choices"]?[0]?["logprobs"] == .null)

                let withUsage = try await Self.stream(server, chatBody(model: "primary/gpt-test", extra: Self.usage))
                Self.expectValidStream(withUsage, includeUsage: true, "a stream with usage")
                let without = try await Self.stream(server, chatBody(model: "primary/gpt-test", extra: #""stream": true"#))
                Self.expectValidStream(without, includeUsage: false, "a stream without usage")
            }
        }
    }

    @Test func toolCallsPlainAndStreamed() async throws {
        let streamed = OpenAIReply.sse([
            #"{"id":"up-t","object":"chat.completion.chunk","model":"gpt-test","choices":[{"index":0,"delta":{"role":"assistant","tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"get_weather","arguments":""}}]},"finish_reason":null}]}"#,
            #"{"id":"up-t","object":"chat.completion.chunk","model":"gpt-test","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"city\":\"Paris\"}"}}]},"finish_reason":null}]}"#,
            #"{"id":"up-t","object":"chat.completion.chunk","model":"gpt-test","choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}"#,
            "[DONE]",
        ])
        let handler: FakeUpstream.Handler = { request in
            request.json?["stream"]?.bool == true ? OpenAIReply.events(streamed) : OpenAIReply.toolCall()
        }
        try await withFakeUpstream(handler) { upstream in
            try await withServer(try Configs.primaryOnly(upstream)) { server in
                let body = chatBody(model: "primary/gpt-test", "Weather in Paris?", extra: ChatCompletionsTests.weatherTool)
                let plain = try await server.post("/v1/chat/completions", body)
                #expect(plain.json?["choices"]?[0]?["finish_reason"]?.string == "tool_calls")
                Self.expectValid(plain.body, Self.completion, "a tool call")

                let events = try await Self.stream(
                    server, chatBody(model: "primary/gpt-test", "Weather?", extra: ChatCompletionsTests.weatherTool + ", " + Self.usage))
                Self.expectValidStream(events, includeUsage: true, "a streamed tool call")
                #expect(events.joined().contains("get_weather"))
            }
        }
    }

    @Test func afterFailover() async throws {
        try await withFakeUpstream({ _ in OpenAIReply.error(.serviceUnavailable) }) { upstream in
            try await withServer(try Configs.primaryWithBackup(upstream)) { server in
                let plain = try await server.post("/v1/chat/completions", chatBody())
                #expect(plain[header: "x-switchyard-provider"] == "backup")
                Self.expectValid(plain.body, Self.completion, "an answer after failover")
                for includeUsage in [true, false] {
                    let events = try await Self.stream(
                        server, chatBody(extra: includeUsage ? Self.usage : #""stream": true"#))
                    Self.expectValidStream(events, includeUsage: includeUsage, "a stream after failover")
                }
            }
        }
    }

    @Test func afterEscalation() async throws {
        try await withServer(try testConfig(FailoverTests.escalating)) { server in
            let plain = try await server.post("/v1/chat/completions", chatBody())
            #expect(plain.json?["switchyard"]?["escalated"]?.bool == true)
            Self.expectValid(plain.body, Self.completion, "an escalated answer")
            for includeUsage in [true, false] {
                let events = try await Self.stream(server, chatBody(extra: includeUsage ? Self.usage : #""stream": true"#))
                Self.expectValidStream(events, includeUsage: includeUsage, "an escalated stream")
            }
        }
    }

    @Test func errors() async throws {
        try await withServer(try Configs.tinyBudget()) { server in
            let cases: [(String, String, Int)] = [
                ("an unknown model", chatBody(model: "nope"), 404),
                ("a body that is not JSON", "{", 400),
                ("a message without content", #"{"model": "default", "messages": [{"role": "user"}]}"#, 400),
                ("a budget exceeded", chatBody(extra: #""user": "alice""#), 402),
                ("a top_p above 1", chatBody(extra: #""top_p": 1.5"#), 400),
            ]
            for (what, body, status) in cases {
                let response = try await server.post("/v1/chat/completions", body)
                #expect(response.status == status, "\(what)")
                Self.expectValid(response.body, Self.error, what)
                #expect(response.json?["error"]?["param"] != nil, "\(what): param is present (null or a field)")
            }
            let missing = try await server.post("/v1/chat/completions", #"{"model": "default", "messages": [{"role": "user"}]}"#)
            #expect(missing.json?["error"]?["param"]?.string == "messages[0].content")
            let streamed = try await server.post("/v1/chat/completions", chatBody(model: "nope", extra: #""stream": true"#))
            #expect(streamed.status == 404)
            Self.expectValid(streamed.body, Self.error, "a stream refused before it started")
        }
    }

    @Test func anErrorDuringAStream() async throws {
        let gate = Gate()
        try await withFakeUpstream({ _ in OpenAIReply.events(OpenAIReply.streamStart, then: .breakConnection(gate)) }) {
            upstream in
            try await withServer(try Configs.primaryOnly(upstream)) { server in
                let (_, events) = try await server.openStream(
                    "/v1/chat/completions", chatBody(model: "primary/gpt-test", extra: #""stream": true"#))
                var reader = events
                _ = try await reader.next()
                _ = try await reader.next()
                gate.open()
                let rest = try await reader.rest()
                let last = try #require(rest.last)
                Self.expectValid(last, Self.error, "the error event that ends a broken stream")
            }
        }
    }

    @Test func theModelList() async throws {
        try await withServer(try testConfig(FailoverTests.escalating)) { server in
            let response = try await server.get("/v1/models")
            #expect(response.status == 200)
            Self.expectValid(response.body, Self.models, "/v1/models")
            #expect(response.json?["data"]?.array?.count == 3)
        }
    }

    @Test func theValidatorRefusesWhatTheSchemaRefuses() throws {
        // The validator itself: yesterday's answer (no logprobs, no refusal) and an empty-choices chunk without usage
        // fail; OpenAI's own examples pass.
        let old = #"{"id":"c","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}]}"#
        #expect(Self.completion.violations(ofJSON: old).count == 2)
        #expect(!Self.error.violations(ofJSON: #"{"error":{"type":"t","code":"c","message":"m"}}"#).isEmpty)
        #expect(!Self.models.violations(ofJSON: #"{"object":"list","data":[{"id":"a","object":"model","owned_by":"x"}]}"#).isEmpty)
        let examples = try JSONDecoder().decode(
            JSONValue.self,
            from: Data(contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appending(path: "specs/openai-chat-completions.schemas.json")))["_examples"]
        for example in examples?["CreateChatCompletionResponse"]?.array ?? [] {
            #expect(Self.completion.violations(of: example).isEmpty)
        }
        for example in examples?["CreateChatCompletionStreamResponse"]?.array ?? [] {
            #expect(Self.chunk.violations(of: example).isEmpty)
        }
    }
}
