import Foundation
import HTTPTypes
import SwitchyardCore
import SwitchyardServer
import SwitchyardStore
import SwitchyardTesting
import Testing

/// `POST /v1/messages` through a real socket: Anthropic's request, answer, stream events and errors, routed to an
/// OpenAI-kind upstream (so every answer is a translation), with budgets and the ledger as on the OpenAI endpoint.
@Suite("POST /v1/messages (Anthropic-compatible)", .timeLimit(.minutes(1)))
struct AnthropicMessagesTests {
    static func body(_ fields: String = "", model: String = "primary/gpt-test", max: Int = 100) -> String {
        #"{"model": "\#(model)", "max_tokens": \#(max), "messages": [{"role": "user", "content": "Say hello"}]\#(fields.isEmpty ? "" : ", " + fields)}"#
    }

    static let weather = #"""
        "tools": [{"name": "get_weather", "description": "Weather of a city",
                   "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}],
        "tool_choice": {"type": "any"}
        """#

    @Test func textWithASystemPrompt() async throws {
        try await withFakeUpstream({ _ in OpenAIReply.answer("hello there") }) { upstream in
            try await withServer(try Configs.primaryOnly(upstream)) { server in
                let response = try await server.post(
                    "/v1/messages",
                    #"{"model": "primary/gpt-test", "max_tokens": 77, "system": [{"type": "text", "text": "Be brief."}], "temperature": 0.3, "metadata": {"user_id": "alice"}, "messages": [{"role": "user", "content": [{"type": "text", "text": "Say hello"}]}]}"#)
                #expect(response.status == 200)
                let json = try #require(response.json)
                let requestID = try #require(response[header: "x-switchyard-request-id"])
                #expect(json["id"]?.string == "msg_" + requestID)
                #expect(json["type"]?.string == "message")
                #expect(json["role"]?.string == "assistant")
                #expect(json["content"]?[0]?["type"]?.string == "text")
                #expect(json["content"]?[0]?["text"]?.string == "hello there")
                #expect(json["stop_reason"]?.string == "end_turn")
                #expect(json["stop_sequence"] == .null)
                #expect(json["usage"]?["input_tokens"]?.int == 10)
                #expect(json["usage"]?["output_tokens"]?.int == 5)
                #expect(json["switchyard"]?["provider"]?.string == "primary")
                #expect(response[header: "x-switchyard-cost-usd"] != nil)

                let sent = try #require(upstream.requests.first?.json)
                #expect(sent["messages"]?[0]?["role"]?.string == "system")
                #expect(sent["messages"]?[0]?["content"]?.string == "Be brief.")
                #expect(sent["messages"]?[1]?["role"]?.string == "user")
                #expect(sent["messages"]?[1]?["content"]?.string == "Say hello")
                #expect((sent["max_tokens"] ?? sent["max_completion_tokens"])?.int == 77)
                #expect(sent["temperature"]?.number == 0.3)

                let rows = try await server.ledger(
                    "SELECT user_id, status, provider, cost_usd_micros FROM requests WHERE id = '\(requestID)'")
                #expect(rows.first?.map(\.description) == ["alice", "success", "primary", "20"])
            }
        }
    }

    @Test func toolsBothWays() async throws {
        try await withFakeUpstream({ _ in OpenAIReply.toolCall() }) { upstream in
            try await withServer(try Configs.primaryOnly(upstream)) { server in
                let response = try await server.post("/v1/messages", Self.body(Self.weather))
                #expect(response.status == 200)
                let json = try #require(response.json)
                #expect(json["stop_reason"]?.string == "tool_use")
                let block = try #require(json["content"]?[0])
                #expect(block["type"]?.string == "tool_use")
                #expect(block["id"]?.string == "call_9")
                #expect(block["name"]?.string == "get_weather")
                #expect(block["input"] == .object(["city": "Paris"]))
                let sent = try #require(upstream.requests.first?.json)
                #expect(sent["tools"]?[0]?["function"]?["name"]?.string == "get_weather")
                #expect(sent["tools"]?[0]?["function"]?["parameters"]?["required"]?[0]?.string == "city")
                #expect(sent["tool_choice"]?.string == "required")

                // The result goes back as Anthropic sends it: the assistant's tool_use, then a user tool_result.
                let followUp = #"""
                    {"model": "primary/gpt-test", "max_tokens": 50, \#(Self.weather), "messages": [
                      {"role": "user", "content": "Weather in Paris?"},
                      {"role": "assistant", "content": [{"type": "text", "text": "Checking."},
                        {"type": "tool_use", "id": "call_9", "name": "get_weather", "input": {"city": "Paris"}}]},
                      {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "call_9", "content": "18 °C"},
                        {"type": "text", "text": "And tomorrow?"}]}]}
                    """#
                #expect(try await server.post("/v1/messages", followUp).status == 200)
                let again = try #require(upstream.requests.last?.json?["messages"]?.array)
                #expect(again.map { $0["role"]?.string } == ["user", "assistant", "tool", "user"])
                #expect(again[1]["content"]?.string == "Checking.")
                #expect(again[1]["tool_calls"]?[0]?["id"]?.string == "call_9")
                #expect(again[1]["tool_calls"]?[0]?["function"]?["arguments"]?.string == #"{"city":"Paris"}"#)
                #expect(again[2]["tool_call_id"]?.string == "call_9")
                #expect(again[2]["content"]?.string == "18 °C")
                #expect(again[3]["content"]?.string == "And tomorrow?")
            }
        }
    }

    @Test func streamsAnthropicsEventSequence() async throws {
        try await withFakeUpstream({ _ in OpenAIReply.events(OpenAIReply.streamStart + OpenAIReply.streamEnd) }) {
            upstream in
            try await withServer(try Configs.primaryOnly(upstream)) { server in
                let (head, events) = try await server.openStream("/v1/messages", Self.body(#""stream": true"#))
                #expect(head.status == 200)
                #expect(head[header: "content-type"]?.hasPrefix("text/event-stream") == true)
                var reader = events
                let all = try await reader.rest().compactMap(JSONValue.init(parsing:))
                #expect(
                    all.map { $0["type"]?.string ?? "?" } == [
                        "message_start", "content_block_start", "content_block_delta", "content_block_delta",
                        "content_block_stop", "message_delta", "message_stop",
                    ])
                let requestID = try #require(head[header: "x-switchyard-request-id"])
                #expect(all.first?["message"]?["id"]?.string == "msg_" + requestID)
                #expect(all.first?["message"]?["content"] == .array([]))
                #expect(all[1]["content_block"] == .object(["type": "text", "text": ""]))
                #expect(all.compactMap { $0["delta"]?["text"]?.string }.joined() == "Hello")
                let delta = all[5]
                #expect(delta["delta"]?["stop_reason"]?.string == "end_turn")
                #expect(delta["usage"]?["input_tokens"]?.int == 3)
                #expect(delta["usage"]?["output_tokens"]?.int == 2)
                #expect(delta["switchyard"]?["cost_usd"]?.string.flatMap { Decimal(string: $0) } == Decimal(string: "0.000007"))
            }
        }
    }

    @Test func streamsAToolCall() async throws {
        let streamed = OpenAIReply.sse([
            #"{"id":"up-t","object":"chat.completion.chunk","model":"gpt-test","choices":[{"index":0,"delta":{"role":"assistant","content":"Let me see.","tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"get_weather","arguments":""}}]},"finish_reason":null}]}"#,
            #"{"id":"up-t","object":"chat.completion.chunk","model":"gpt-test","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"city\":"}}]},"finish_reason":null}]}"#,
            #"{"id":"up-t","object":"chat.completion.chunk","model":"gpt-test","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"\"Paris\"}"}}]},"finish_reason":"tool_calls"}]}"#,
            "[DONE]",
        ])
        try await withFakeUpstream({ _ in OpenAIReply.events(streamed) }) { upstream in
            try await withServer(try Configs.primaryOnly(upstream)) { server in
                let (_, events) = try await server.openStream("/v1/messages", Self.body(Self.weather + #", "stream": true"#))
                var reader = events
                let all = try await reader.rest().compactMap(JSONValue.init(parsing:))
                #expect(
                    all.map { $0["type"]?.string ?? "?" } == [
                        "message_start", "content_block_start", "content_block_delta", "content_block_stop",
                        "content_block_start", "content_block_delta", "content_block_delta", "content_block_stop",
                        "message_delta", "message_stop",
                    ])
                #expect(all[4]["index"]?.int == 1)
                #expect(
                    all[4]["content_block"]
                        == .object(["type": "tool_use", "id": "call_1", "name": "get_weather", "input": .object([:])]))
                let json = all.compactMap { $0["delta"]?["partial_json"]?.string }.joined()
                #expect(JSONValue(parsing: json) == .object(["city": "Paris"]))
                #expect(all[8]["delta"]?["stop_reason"]?.string == "tool_use")
            }
        }
    }

    @Test func aStreamThatBreaksEndsWithAnErrorEventAndNoMessageStop() async throws {
        let gate = Gate()
        try await withFakeUpstream({ _ in OpenAIReply.events(OpenAIReply.streamStart, then: .breakConnection(gate)) }) {
            upstream in
            try await withServer(try Configs.primaryOnly(upstream)) { server in
                let (head, events) = try await server.openStream("/v1/messages", Self.body(#""stream": true"#))
                #expect(head.status == 200)
                var reader = events
                var seen: [JSONValue] = []
                // message_start, content_block_start and the first delta, then the upstream breaks.
                for _ in 0..<3 {
                    if let event = try await reader.next(), let json = JSONValue(parsing: event) { seen.append(json) }
                }
                gate.open()
                seen += try await reader.rest().compactMap(JSONValue.init(parsing:))
                let types = seen.map { $0["type"]?.string ?? "?" }
                #expect(types.first == "message_start")
                #expect(types.last == "error", "\(types)")
                #expect(!types.contains("message_stop"))
                #expect(seen.last?["error"]?["type"]?.string == "api_error")
                #expect(seen.last?["error"]?["code"]?.string == "stream_interrupted")
            }
        }
    }

    @Test func errorsInAnthropicsShape() async throws {
        try await withServer(try Configs.tinyBudget()) { server in
            let cases: [(String, String, Int, String)] = [
                ("a budget exceeded", Self.body(model: "default"), 402, "billing_error"),
                ("an unknown model", Self.body(model: "nope"), 404, "not_found_error"),
                ("no max_tokens", #"{"model": "default", "messages": [{"role": "user", "content": "hi"}]}"#, 400, "invalid_request_error"),
                ("a temperature above 1", Self.body(#""temperature": 1.5"#, model: "default"), 400, "invalid_request_error"),
                (
                    "an image block",
                    #"{"model": "default", "max_tokens": 5, "messages": [{"role": "user", "content": [{"type": "image", "source": {}}]}]}"#,
                    400, "invalid_request_error"
                ),
                (
                    "a server tool",
                    Self.body(#""tools": [{"type": "web_search_20250305", "name": "web_search"}]"#, model: "default"), 400,
                    "invalid_request_error"
                ),
                ("a stream refused before it started", Self.body(#""stream": true"#, model: "nope"), 404, "not_found_error"),
            ]
            for (what, body, status, type) in cases {
                let response = try await server.post("/v1/messages", body)
                #expect(response.status == status, "\(what)")
                let json = try #require(response.json, "\(what)")
                #expect(json["type"]?.string == "error", "\(what)")
                #expect(json["error"]?["type"]?.string == type, "\(what): \(response.body)")
                #expect(json["error"]?["message"]?.string?.isEmpty == false, "\(what)")
                #expect(json["request_id"] != nil, "\(what): request_id is present (null or an id)")
            }
            let refused = try await server.post("/v1/messages", Self.body(model: "default"))
            #expect(refused.json?["error"]?["budget"]?["scope"]?.string == "user")
            let missing = try await server.post("/v1/messages", #"{"model": "default", "messages": []}"#)
            #expect(missing.json?["error"]?["message"]?.string?.contains("max_tokens") == true)
            // Nothing reached a provider, and no request was recorded as spending.
            let spent = try await server.ledger("SELECT coalesce(sum(cost_usd_micros), 0) FROM requests")
            #expect(spent.first?.first?.description == "0")
        }
    }

    @Test func failsOverLikeTheOpenAIEndpoint() async throws {
        try await withFakeUpstream({ _ in OpenAIReply.error(.serviceUnavailable) }) { upstream in
            try await withServer(try Configs.primaryWithBackup(upstream)) { server in
                let response = try await server.post("/v1/messages", Self.body(model: "default"))
                #expect(response.status == 200)
                #expect(response[header: "x-switchyard-provider"] == "backup")
                #expect(response.json?["switchyard"]?["attempts"]?.int == 2)
                let requestID = try #require(response[header: "x-switchyard-request-id"])
                let attempts = try await server.ledger(
                    "SELECT provider, outcome FROM attempts WHERE request_id = '\(requestID)' ORDER BY seq")
                #expect(attempts.map { $0.map(\.description) } == [["primary", "error"], ["backup", "success"]])
            }
        }
    }
}
