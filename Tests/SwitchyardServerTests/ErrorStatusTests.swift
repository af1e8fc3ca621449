import SwitchyardTesting
import Foundation
import HTTPTypes
import NIOCore
import NIOHTTP1
import SwitchyardCore
import SwitchyardStore
import SwitchyardServer
import Testing

@Suite("Every error status from a bad input", .timeLimit(.minutes(1)))
struct ErrorStatusTests {
    /// Checks the shared error shape and returns the response.
    @discardableResult
    static func expectError(
        _ response: TestResponse,
        _ status: Int,
        code: String? = nil,
        mentions: String? = nil,
        sourceLocation: SourceLocation = #_sourceLocation
    ) -> TestResponse {
        #expect(response.status == status, "\(response.body)", sourceLocation: sourceLocation)
        #expect(response[header: "content-type"] == "application/json", sourceLocation: sourceLocation)
        let error = response.json?["error"]
        #expect(error?["type"]?.string?.isEmpty == false, "no error.type in \(response.body)", sourceLocation: sourceLocation)
        #expect(error?["message"]?.string?.isEmpty == false, "no error.message", sourceLocation: sourceLocation)
        if let code { #expect(error?["code"]?.string == code, sourceLocation: sourceLocation) }
        if let mentions {
            #expect(
                error?["message"]?.string?.contains(mentions) == true, "message should name '\(mentions)': \(response.body)",
                sourceLocation: sourceLocation)
        }
        return response
    }

    @Test func badRequestsSay400AndNameTheField() async throws {
        try await withServer(try testConfig(simulatedYAML)) { server in
            let path = "/v1/chat/completions"
            Self.expectError(try await server.post(path, #"{"messages": ["#), 400, code: "invalid_request", mentions: "JSON")
            Self.expectError(try await server.post(path, #"{"model": "default"}"#), 400, mentions: "messages")
            Self.expectError(try await server.post(path, #"{"messages": "x"}"#), 400, mentions: "messages")
            Self.expectError(try await server.post(path, chatBody(extra: #""max_tokens": "ten""#)), 400, mentions: "max_tokens")
            Self.expectError(
                try await server.post(path, #"{"messages": [{"role": "user", "content": "x"}, {"content": "x"}]}"#), 400,
                mentions: "messages[1]")
            Self.expectError(try await server.post(path, #"{"messages": []}"#), 400, mentions: "messages")
            Self.expectError(try await server.post(path, ""), 400, mentions: "body")
            Self.expectError(try await server.post(path, chatBody(extra: #""temperature": 7"#)), 400, mentions: "temperature")
            Self.expectError(
                try await server.post(path, chatBody(extra: #""switchyard": {"timeout_ms": 0}"#)), 400,
                mentions: "switchyard.timeout_ms")
            Self.expectError(
                try await server.post(path, chatBody(extra: #""switchyard": {"priority": "fastest"}"#)), 400,
                mentions: "priority")
            Self.expectError(try await server.post(path, "[]"), 400, mentions: "the body has the wrong type (expected an object)")
            Self.expectError(try await server.post(path, chatBody(extra: #""max_tokens": 1.5"#)), 400, mentions: "max_tokens")
            Self.expectError(try await server.post(path, chatBody(extra: #""max_tokens": 1e300"#)), 400, mentions: "max_tokens")
            Self.expectError(
                try await server.post(path, chatBody(extra: #""switchyard": {"timeout_ms": 1e20}"#)), 400,
                mentions: "switchyard.timeout_ms")
            Self.expectError(
                try await server.post(path, #"{"messages": [{"role": "wizard", "content": "x"}]}"#), 400,
                mentions: "messages[0].role")
            Self.expectError(try await server.post(path, chatBody(extra: #""stream": "yes""#)), 400, mentions: "stream")
            Self.expectError(try await server.post("/chat/completions", #"{"user_id": "x"}"#), 400, mentions: "prompt")
            Self.expectError(try await server.post("/chat/completions", #"{"prompt": ""}"#), 400, mentions: "prompt")
        }
    }

    @Test func unknownModelAndPathSay404() async throws {
        try await withServer(try testConfig(simulatedYAML)) { server in
            let model = Self.expectError(
                try await server.post("/v1/chat/completions", chatBody(model: "gpt-17")), 404, code: "unknown_model",
                mentions: "gpt-17")
            #expect(model[header: "x-switchyard-request-id"] != nil)
            Self.expectError(
                try await server.post("/v1/chat/completions", chatBody(model: "sim/other")), 404, code: "unknown_model")
            Self.expectError(try await server.get("/v2/nothing"), 404, code: "not_found", mentions: "/v2/nothing")
            Self.expectError(try await server.post("/providers", "{}"), 404)
        }
    }

    @Test func oversizedBodySays413() async throws {
        let config = try testConfig(simulatedYAML + "\nserver: {max_body_bytes: 1024}\n")
        try await withServer(config) { server in
            let big = chatBody(String(repeating: "a", count: 4096))
            Self.expectError(try await server.post("/v1/chat/completions", big), 413, code: "body_too_large")
            Self.expectError(
                try await server.post("/chat/completions", #"{"prompt": "\#(String(repeating: "b", count: 4096))"}"#),
                413, code: "body_too_large")
            // Just under the limit still works.
            #expect(try await server.post("/v1/chat/completions", chatBody()).status == 200)
        }
    }

    @Test func allProvidersFailedSays502WithTheAttempts() async throws {
        try await withFakeUpstream({ _ in OpenAIReply.error(.serviceUnavailable) }) { upstream in
            let config = try testConfig(
                """
                providers:
                \(Configs.openAI("primary", upstream))
                \(Configs.openAI("secondary", upstream))
                routes:
                  - name: default
                    tiers:
                      - {targets: [primary/gpt-test, secondary/gpt-test]}
                """)
            try await withServer(config) { server in
                let response = Self.expectError(
                    try await server.post("/v1/chat/completions", chatBody()), 502, code: "all_providers_failed")
                let attempts = try #require(response.json?["error"]?["attempts"]?.array)
                #expect(Set(attempts.compactMap { $0["provider"]?.string }) == ["primary", "secondary"])
                #expect(attempts.allSatisfy { $0["http_status"]?.int == 503 })
                #expect(attempts.allSatisfy { $0["outcome"]?.string == "error" })
                #expect(response.json?["error"]?["type"]?.string == "upstream_error")
                #expect(upstream.hits == 2)
            }
        }
    }

    @Test func deadlineSays504() async throws {
        let release = Gate()
        try await withFakeUpstream({ _ in
            try await release.wait()
            return OpenAIReply.answer()
        }) { upstream in
            try await withServer(try Configs.primaryOnly(upstream)) { server in
                let response = try await server.post(
                    "/v1/chat/completions", chatBody(extra: #""switchyard": {"timeout_ms": 300}"#))
                release.open()
                Self.expectError(response, 504, code: "deadline_exceeded")
                #expect(response.json?["error"]?["type"]?.string == "timeout")
                let requestID = try #require(response[header: "x-switchyard-request-id"])
                let rows = try await server.ledger("SELECT status FROM requests WHERE id = '\(requestID)'")
                #expect(rows.first?.first?.description == "timeout")
            }
        }
    }

    @Test func streamDeadlineBeforeTheFirstChunkSays504() async throws {
        let release = Gate()
        try await withFakeUpstream({ _ in
            try await release.wait()
            return OpenAIReply.answer()
        }) { upstream in
            try await withServer(try Configs.primaryOnly(upstream)) { server in
                let (head, _) = try await server.openStream(
                    "/v1/chat/completions", chatBody(extra: #""stream": true, "switchyard": {"timeout_ms": 300}"#))
                release.open()
                #expect(head.status == 504)
            }
        }
    }

    /// Odd bodies: none may produce a 500, and every error keeps the JSON error shape.
    static let oddBodies: [String] = [
        "[]", "null", "0", "\"text\"", "{}", "{", "}", "\u{0}",
        #"{"messages": "x"}"#, #"{"messages": null}"#, #"{"messages": [null]}"#, #"{"messages": [{}]}"#,
        #"{"messages": [{"role": "wizard", "content": "x"}]}"#,
        #"{"messages": [{"role": "user", "content": 5}]}"#,
        #"{"messages": [{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "x"}}]}]}"#,
        #"{"messages": [{"role": "user", "content": "hi"}], "max_tokens": 1e300}"#,
        #"{"messages": [{"role": "user", "content": "hi"}], "max_tokens": 99999999999999999999999}"#,
        #"{"messages": [{"role": "user", "content": "hi"}], "max_tokens": 9223372036854775807}"#,
        #"{"messages": [{"role": "user", "content": "hi"}], "max_tokens": -9223372036854775808}"#,
        #"{"messages": [{"role": "user", "content": "hi"}], "max_tokens": 1.5}"#,
        #"{"messages": [{"role": "user", "content": "hi"}], "temperature": 1e999}"#,
        #"{"messages": [{"role": "user", "content": "hi"}], "switchyard": {"timeout_ms": 9223372036854775807}}"#,
        #"{"messages": [{"role": "user", "content": "hi"}], "switchyard": {"timeout_ms": -1}}"#,
        #"{"messages": [{"role": "user", "content": "hi"}], "switchyard": {"max_cost_usd": 1e308}}"#,
        #"{"messages": [{"role": "user", "content": "hi"}], "switchyard": {"max_cost_usd": -1}}"#,
        #"{"messages": [{"role": "user", "content": "hi"}], "switchyard": {"max_cost_usd": 0}}"#,
        #"{"messages": [{"role": "user", "content": "hi"}], "switchyard": "fast"}"#,
        #"{"messages": [{"role": "user", "content": "hi"}], "n": 5}"#,
        #"{"messages": [{"role": "user", "content": "hi"}], "stop": 5}"#,
        #"{"messages": [{"role": "user", "content": "hi"}], "model": 5}"#,
        #"{"messages": [{"role": "user", "content": "hi"}], "user": "a\nb"}"#,
        #"{"messages": [{"role": "user", "content": "hi"}], "user": ""}"#,
        #"{"messages": [{"role": "user", "content": "hi"}], "stream": "yes"}"#,
        #"{"messages": [{"role": "user", "content": "hi"}], "tools": [{"type": "function"}]}"#,
        #"{"messages": [{"role": "user", "content": "hi"}], "tool_choice": {"type": "function"}}"#,
        #"{"messages": [{"role": "user", "content": "\ud800"}]}"#,
        #"{"messages": [{"role": "user", "content": "hi"}], "model": "../../etc/passwd"}"#,
        #"{"messages": [{"role": "user", "content": "hi"}], "model": "/"}"#,
        String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000),
        "{\"messages\": [" + Array(repeating: #"{"role": "user", "content": "x"}"#, count: 2_000).joined(separator: ",") + "]}",
    ]

    @Test func oddBodiesNeverGive500() async throws {
        try await withServer(try testConfig(simulatedYAML)) { server in
            for path in ["/v1/chat/completions", "/chat/completions", "/simulate/failure", "/users/x/budget"] {
                for body in Self.oddBodies {
                    let response =
                        path.hasPrefix("/users")
                        ? try await server.put(path, body) : try await server.post(path, body)
                    #expect(response.status < 500, "\(path) \(body.prefix(80)): \(response.status) \(response.body)")
                    if response.status >= 400 {
                        #expect(response.json?["error"]?["code"]?.string != nil, "\(path) \(body.prefix(80)): \(response.body)")
                    }
                }
                // Invalid UTF-8, and bytes that are no text at all.
                for bytes: [UInt8] in [[0xFF, 0xFE, 0xFD], Array(#"{"messages": [{"role": "user", "content": ""#.utf8) + [0xC3, 0x28] + Array(#""}]}"#.utf8)] {
                    let response = try await server.send(
                        .POST, path, body: ByteBuffer(bytes: bytes), headers: ["content-type": "application/json"])
                    #expect(response.status < 500, "\(path) \(bytes): \(response.status) \(response.body)")
                }
            }
        }
    }

    @Test func wrongMethodIsNotA500() async throws {
        try await withServer(try testConfig(simulatedYAML)) { server in
            for (method, path) in [(HTTPMethod.DELETE, "/v1/chat/completions"), (.GET, "/chat/completions"), (.PATCH, "/providers")] {
                let response = try await server.send(method, path)
                #expect((400..<500).contains(response.status), "\(method) \(path): \(response.status)")
                #expect(response.errorCode != nil)
            }
        }
    }
}
