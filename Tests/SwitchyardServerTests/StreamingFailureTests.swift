import SwitchyardTesting
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import HTTPTypes
import SwitchyardCore
import SwitchyardStore
import SwitchyardServer
import Testing

@Suite("Streams that fail", .timeLimit(.minutes(1)))
struct StreamingFailureTests {
    @Test func streamBrokenAfterItStartedEndsWithAnErrorEventAndNoDone() async throws {
        let breakNow = Gate()
        try await withFakeUpstream({ _ in OpenAIReply.events(OpenAIReply.streamStart, then: .breakConnection(breakNow)) }) {
            upstream in
            try await withServer(try Configs.primaryWithBackup(upstream)) { server in
                let (head, events) = try await server.openStream(
                    "/v1/chat/completions", chatBody(extra: #""stream": true, "stream_options": {"include_usage": true}"#))
                #expect(head.status == 200)
                #expect(head[header: "x-switchyard-provider"] == "primary")
                var reader = events
                let first = try #require(try await reader.next().flatMap { JSONValue(parsing: $0) })
                #expect(first["choices"]?[0]?["delta"]?["content"]?.string == "Hel")
                breakNow.open()
                let rest = try await reader.rest()
                #expect(!rest.contains("[DONE]"), "\(rest)")
                let last = try #require(rest.last.flatMap { JSONValue(parsing: $0) }, "\(rest)")
                #expect(last["error"]?["code"]?.string == "stream_interrupted")
                #expect(last["error"]?["type"]?.string != nil)
                #expect(last["error"]?["message"]?.string?.contains("primary") == true)
                #expect(reader.leftover.isEmpty)
                // No failover once the client has part of an answer.
                #expect(upstream.hits == 1)

                let requestID = try #require(head[header: "x-switchyard-request-id"])
                let rows = try await server.ledger(
                    "SELECT status, error_code, attempt_count FROM requests WHERE id = '\(requestID)'")
                #expect(rows.first?.map(\.description) == ["failed", "stream_interrupted", "1"])
            }
        }
    }

    /// The client reads a chunk and leaves while the upstream is silent: the next heartbeat fails, the routing
    /// task is cancelled, and the request is finished in the ledger instead of waiting for an upstream time-out.
    @Test func clientLeavingMidStreamCancelsTheUpstreamCall() async throws {
        let never = Gate()
        try await withFakeUpstream({ _ in OpenAIReply.events(OpenAIReply.streamStart, then: .breakConnection(never)) }) {
            upstream in
            try await withServer(try Configs.primaryOnly(upstream), sseHeartbeat: .milliseconds(20)) { server in
                defer { never.open() }
                let client = HTTPClient(eventLoopGroupProvider: .singleton)
                let requestID: String
                do {
                    var request = HTTPClientRequest(url: "http://127.0.0.1:\(server.port)/v1/chat/completions")
                    request.method = .POST
                    request.body = .bytes(ByteBuffer(string: chatBody(extra: #""stream": true"#)))
                    let response = try await client.execute(request, timeout: .seconds(30))
                    requestID = try #require(response.headers.first(name: "x-switchyard-request-id"))
                    var reader = SSEReader(iterator: response.body.makeAsyncIterator())
                    #expect(try await reader.next()?.contains("Hel") == true)
                }
                try await client.shutdown()
                try await waitUntil("the request is finished in the ledger") {
                    try await server.ledger("SELECT status FROM requests WHERE id = '\(requestID)'")
                        .first?.first?.description != "in_progress"
                }
                let row = try await server.ledger("SELECT status FROM requests WHERE id = '\(requestID)'")
                #expect(row.first?.first?.description == "cancelled")
            }
        }
    }

    @Test func quietStreamsGetHeartbeatComments() async throws {
        let finish = Gate()
        try await withFakeUpstream({ _ in
            OpenAIReply.events(OpenAIReply.streamStart, then: .stallThen(finish, OpenAIReply.streamEnd))
        }) { upstream in
            try await withServer(try Configs.primaryOnly(upstream), sseHeartbeat: .milliseconds(10)) { server in
                let (head, events) = try await server.openStream("/v1/chat/completions", chatBody(extra: #""stream": true"#))
                #expect(head.status == 200)
                var reader = events
                #expect(try await reader.next()?.contains("Hel") == true)
                #expect(try await reader.next()?.contains("lo") == true)
                // Two heartbeats while the upstream is quiet, then the rest of the answer.
                #expect(try await reader.nextEvent() == .comment)
                #expect(try await reader.nextEvent() == .comment)
                finish.open()
                let rest = try await reader.rest()
                #expect(rest.last == "[DONE]")
                #expect(reader.comments >= 2)
            }
        }
    }

    @Test func streamEndingWithoutFinishIsAnErrorToo() async throws {
        // The upstream ends its body cleanly but never says the answer is finished.
        try await withFakeUpstream({ _ in OpenAIReply.events(OpenAIReply.streamStart) }) { upstream in
            try await withServer(try Configs.primaryOnly(upstream)) { server in
                let (head, events) = try await server.openStream("/v1/chat/completions", chatBody(extra: #""stream": true"#))
                var reader = events
                let all = try await reader.rest()
                if head.status == 200 {
                    #expect(!all.contains("[DONE]"), "\(all)")
                    #expect(all.last.flatMap { JSONValue(parsing: $0) }?["error"] != nil, "\(all)")
                } else {
                    #expect(head.status == 502)
                }
            }
        }
    }

    @Test func streamThatCannotStartGetsARealStatus() async throws {
        try await withFakeUpstream({ _ in OpenAIReply.error(.serviceUnavailable) }) { upstream in
            try await withServer(try Configs.primaryOnly(upstream)) { server in
                let (head, events) = try await server.openStream("/v1/chat/completions", chatBody(extra: #""stream": true"#))
                #expect(head.status == 502)
                #expect(head[header: "content-type"] == "application/json")
                var reader = events
                _ = try await reader.rest()
                let (unknown, _) = try await server.openStream(
                    "/v1/chat/completions", chatBody(model: "nope", extra: #""stream": true"#))
                #expect(unknown.status == 404)
            }
        }
    }
}
