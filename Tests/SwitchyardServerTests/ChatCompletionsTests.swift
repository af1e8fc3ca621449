import Foundation
import HTTPTypes
import SwitchyardCore
import SwitchyardServer
import SwitchyardStore
import Testing

@Suite("POST /v1/chat/completions and the simple API", .timeLimit(.minutes(1)))
struct ChatCompletionsTests {
    static let weatherTool = #"""
        "tools": [{"type": "function", "function": {"name": "get_weather", "description": "Weather of a city",
          "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}],
        "tool_choice": "auto"
        """#

    @Test func answersInOpenAIShapeWithSwitchyardHeaders() async throws {
        try await withFakeUpstream({ _ in OpenAIReply.answer("hello there") }) { upstream in
            try await withServer(try Configs.primaryWithBackup(upstream)) { server in
                let response = try await server.post(
                    "/v1/chat/completions",
                    chatBody(
                        extra: #""user": "alice", "max_completion_tokens": 77, "temperature": 0.5, "switchyard": {"priority": "cost", "max_cost_usd": 1.5, "timeout_ms": 20000}"#
                    ))
                #expect(response.status == 200)
                let json = try #require(response.json)
                #expect(json["object"]?.string == "chat.completion")
                #expect(json["choices"]?[0]?["message"]?["role"]?.string == "assistant")
                #expect(json["choices"]?[0]?["message"]?["content"]?.string == "hello there")
                #expect(json["choices"]?[0]?["finish_reason"]?.string == "stop")
                #expect(json["usage"]?["prompt_tokens"]?.int == 10)
                #expect(json["usage"]?["completion_tokens"]?.int == 5)
                #expect(json["usage"]?["total_tokens"]?.int == 15)
                #expect(json["model"]?.string == "primary/gpt-test")

                let requestID = try #require(response[header: "x-switchyard-request-id"])
                #expect(requestID.hasPrefix("sy_"))
                #expect(json["id"]?.string == "chatcmpl-" + requestID)
                #expect(response[header: "x-switchyard-provider"] == "primary")
                // 10 prompt tokens at $1/MTok + 5 completion tokens at $2/MTok = 20 micro-dollars.
                let cost = try #require(response[header: "x-switchyard-cost-usd"])
                #expect(Decimal(string: cost) == Decimal(string: "0.00002"))
                #expect(json["switchyard"]?["cost_usd"]?.string == cost)
                #expect(json["switchyard"]?["provider"]?.string == "primary")
                #expect(json["switchyard"]?["attempts"]?.int == 1)

                // What went upstream: the provider's model, the limit, the user; never the switchyard options.
                let sent = try #require(upstream.requests.first?.json)
                #expect(sent["model"]?.string == "gpt-test")
                #expect((sent["max_tokens"] ?? sent["max_completion_tokens"])?.int == 77)
                #expect(sent["user"]?.string == "alice")
                #expect(sent["temperature"]?.number == 0.5)
                #expect(sent["switchyard"] == nil)
                #expect(upstream.requests.first?.body.contains("switchyard") == false)

                let rows = try await server.ledger(
                    "SELECT user_id, status, provider, cost_usd_micros, attempt_count FROM requests WHERE id = '\(requestID)'")
                #expect(rows.count == 1)
                #expect(rows.first?.map(\.description) == ["alice", "success", "primary", "20", "1"])
            }
        }
    }

    @Test func passesToolsThroughBothWays() async throws {
        try await withFakeUpstream({ _ in OpenAIReply.toolCall() }) { upstream in
            try await withServer(try Configs.primaryOnly(upstream)) { server in
                let response = try await server.post(
                    "/v1/chat/completions", chatBody(model: "primary/gpt-test", "Weather in Paris?", extra: Self.weatherTool))
                #expect(response.status == 200)
                let message = try #require(response.json?["choices"]?[0]?["message"])
                #expect(message["content"] == .null)
                #expect(message["tool_calls"]?[0]?["id"]?.string == "call_9")
                #expect(message["tool_calls"]?[0]?["type"]?.string == "function")
                #expect(message["tool_calls"]?[0]?["function"]?["name"]?.string == "get_weather")
                #expect(message["tool_calls"]?[0]?["function"]?["arguments"]?.string == #"{"city":"Paris"}"#)
                #expect(response.json?["choices"]?[0]?["finish_reason"]?.string == "tool_calls")

                let sent = try #require(upstream.requests.first?.json)
                #expect(sent["tools"]?[0]?["type"]?.string == "function")
                #expect(sent["tools"]?[0]?["function"]?["name"]?.string == "get_weather")
                #expect(sent["tools"]?[0]?["function"]?["parameters"]?["required"]?[0]?.string == "city")
                #expect(sent["tool_choice"]?.string == "auto")
            }
        }
    }

    @Test func sendsAToolResultBack() async throws {
        try await withFakeUpstream({ _ in OpenAIReply.answer("It is sunny.") }) { upstream in
            try await withServer(try Configs.primaryOnly(upstream)) { server in
                let body = #"""
                    {"model": "gpt-test", "messages": [
                      {"role": "user", "content": "Weather in Paris?"},
                      {"role": "assistant", "content": null, "tool_calls": [{"id": "call_9", "type": "function",
                        "function": {"name": "get_weather", "arguments": "{\"city\":\"Paris\"}"}}]},
                      {"role": "tool", "tool_call_id": "call_9", "content": "sunny, 24C"}],
                     \#(Self.weatherTool)}
                    """#
                let response = try await server.post("/v1/chat/completions", body)
                #expect(response.status == 200)
                #expect(response.json?["choices"]?[0]?["message"]?["content"]?.string == "It is sunny.")
                let sent = try #require(upstream.requests.first?.json)
                #expect(sent["messages"]?[1]?["tool_calls"]?[0]?["id"]?.string == "call_9")
                #expect(sent["messages"]?[2]?["role"]?.string == "tool")
                #expect(sent["messages"]?[2]?["tool_call_id"]?.string == "call_9")
            }
        }
    }

    @Test func streamsOpenAIChunksWithUsageAndDone() async throws {
        try await withFakeUpstream({ _ in OpenAIReply.events(OpenAIReply.streamStart + OpenAIReply.streamEnd) }) {
            upstream in
            try await withServer(try Configs.primaryWithBackup(upstream)) { server in
                let (head, events) = try await server.openStream(
                    "/v1/chat/completions",
                    chatBody(extra: #""stream": true, "stream_options": {"include_usage": true}, "user": "bob""#))
                var reader = events
                let all = try await reader.rest()
                #expect(head.status == 200)
                #expect(head[header: "content-type"]?.hasPrefix("text/event-stream") == true)
                #expect(head[header: "x-switchyard-provider"] == "primary")
                let requestID = try #require(head[header: "x-switchyard-request-id"])

                #expect(all.last == "[DONE]")
                #expect(all.filter { $0 == "[DONE]" }.count == 1)
                let chunks = all.dropLast().compactMap { JSONValue(parsing: $0) }
                #expect(chunks.count == all.count - 1, "every event but [DONE] is JSON: \(all)")
                #expect(chunks.allSatisfy { $0["object"]?.string == "chat.completion.chunk" })
                #expect(chunks.allSatisfy { $0["id"]?.string == "chatcmpl-" + requestID })
                #expect(chunks.first?["choices"]?[0]?["delta"]?["role"]?.string == "assistant")
                let text = chunks.compactMap { $0["choices"]?[0]?["delta"]?["content"]?.string }.joined()
                #expect(text == "Hello")
                #expect(chunks.contains { $0["choices"]?[0]?["finish_reason"]?.string == "stop" })

                let closing = try #require(chunks.last)
                #expect(closing["choices"]?.array?.isEmpty == true)
                #expect(closing["usage"]?["prompt_tokens"]?.int == 3)
                #expect(closing["usage"]?["completion_tokens"]?.int == 2)
                #expect(closing["usage"]?["total_tokens"]?.int == 5)
                // 3 × $1/MTok + 2 × $2/MTok = 7 micro-dollars.
                #expect(closing["switchyard"]?["cost_usd"]?.string.flatMap { Decimal(string: $0) } == Decimal(string: "0.000007"))
                #expect(closing["switchyard"]?["provider"]?.string == "primary")

                let sent = try #require(upstream.requests.first?.json)
                #expect(sent["stream"]?.bool == true)
                let rows = try await server.ledger(
                    "SELECT status, stream, user_id, cost_usd_micros FROM requests WHERE id = '\(requestID)'")
                #expect(rows.first?.map(\.description) == ["success", "1", "bob", "7"])
            }
        }
    }

    @Test func streamWithoutIncludeUsageHasNoUsage() async throws {
        try await withServer(try testConfig(simulatedYAML)) { server in
            let (head, events) = try await server.openStream(
                "/v1/chat/completions", chatBody(model: "sim-1", extra: #""stream": true"#))
            var reader = events
            let all = try await reader.rest()
            #expect(head.status == 200)
            #expect(head[header: "x-switchyard-provider"] == "sim")
            #expect(all.last == "[DONE]")
            let chunks = all.dropLast().compactMap { JSONValue(parsing: $0) }
            #expect(chunks.allSatisfy { $0["usage"] == nil })
            #expect(chunks.last?["switchyard"]?["provider"]?.string == "sim")
            let text = chunks.compactMap { $0["choices"]?[0]?["delta"]?["content"]?.string }.joined()
            #expect(!text.isEmpty)
        }
    }

    @Test func streamsToolCallDeltas() async throws {
        try await withServer(try testConfig(simulatedYAML)) { server in
            let (head, events) = try await server.openStream(
                "/v1/chat/completions", chatBody(model: "sim-1", "Weather?", extra: Self.weatherTool + #", "stream": true"#))
            var reader = events
            let all = try await reader.rest()
            #expect(head.status == 200)
            #expect(all.last == "[DONE]")
            let chunks = all.dropLast().compactMap { JSONValue(parsing: $0) }
            let calls = chunks.compactMap { $0["choices"]?[0]?["delta"]?["tool_calls"]?[0] }
            let call = try #require(calls.first)
            #expect(call["index"]?.int == 0)
            #expect(call["type"]?.string == "function")
            #expect(call["id"]?.string?.isEmpty == false)
            #expect(call["function"]?["name"]?.string == "get_weather")
            #expect(chunks.contains { $0["choices"]?[0]?["finish_reason"]?.string == "tool_calls" })
        }
    }

    @Test func simpleAPIAnswersWithProviderContentLatencyAndCost() async throws {
        try await withServer(try testConfig(simulatedYAML)) { server in
            let response = try await server.post(
                "/chat/completions",
                #"{"prompt": "Write a haiku", "preferences": {"priority": "cost", "max_cost_per_request": 0.01, "timeout_ms": 5000}, "user_id": "user123"}"#
            )
            #expect(response.status == 200)
            let json = try #require(response.json)
            #expect(json["provider_used"]?.string == "sim")
            #expect(json["content"]?.string?.isEmpty == false)
            #expect(json["latency_ms"]?.number != nil)
            #expect((json["cost"]?.number ?? -1) >= 0)
            let requestID = try #require(response[header: "x-switchyard-request-id"])
            #expect(json["request_id"]?.string == requestID)
            let rows = try await server.ledger("SELECT user_id, status FROM requests WHERE id = '\(requestID)'")
            #expect(rows.first?.map(\.description) == ["user123", "success"])
        }
    }

    @Test func simpleAPIWithoutUserIsAnonymous() async throws {
        try await withServer(try testConfig(simulatedYAML)) { server in
            let response = try await server.post("/chat/completions", #"{"prompt": "hi"}"#)
            #expect(response.status == 200)
            let requestID = try #require(response[header: "x-switchyard-request-id"])
            let rows = try await server.ledger("SELECT user_id FROM requests WHERE id = '\(requestID)'")
            #expect(rows.first?.first?.description == "anonymous")
        }
    }

    @Test func modelsListsRoutesAndProviderModels() async throws {
        try await withServer(try testConfig(simulatedYAML)) { server in
            let response = try await server.get("/v1/models")
            #expect(response.status == 200)
            let data = try #require(response.json?["data"]?.array)
            let ids = data.compactMap { $0["id"]?.string }
            #expect(ids.contains("default"))
            #expect(ids.contains("sim/sim-1"))
            #expect(data.allSatisfy { $0["object"]?.string == "model" })
        }
    }
}
