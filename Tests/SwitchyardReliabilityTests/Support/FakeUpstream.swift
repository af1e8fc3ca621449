import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// One request a fake upstream received.
struct UpstreamRequest: Sendable {
    /// The provider, from the first path segment (`/NAME/v1/chat/completions`).
    var provider: String
    /// Path and query, as sent.
    var uri: String
    var body: String

    /// The body parsed as a JSON object.
    var json: [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any]
    }

    /// A streamed call: `"stream": true` in the body, or Gemini's `:streamGenerateContent`.
    var isStream: Bool { json?["stream"] as? Bool == true || uri.contains(":streamGenerateContent") }

    /// The `max_tokens` (or `max_completion_tokens`) Switchyard sent.
    var maxTokens: Int? {
        (json?["max_tokens"] as? NSNumber)?.intValue ?? (json?["max_completion_tokens"] as? NSNumber)?.intValue
    }
}

/// What a fake provider does with one call. Written on the raw socket, so replies can be cut, stalled or malformed
/// at any byte.
enum UpstreamReply: Sendable {
    /// A complete response with a `content-length`, after `delay`.
    case respond(status: Int, headers: [(String, String)] = [], body: String, delay: Duration = .zero)
    /// A chunked `text/event-stream`: each `data:` event after `gap`, then the ending.
    case stream(events: [String], gap: Duration = .zero, ending: StreamEnding = .done)
    /// Headers and part of a body whose `content-length` promises more, then silence until the peer hangs up.
    case stallBody(prefix: String, promised: Int)
    /// No response at all until the peer hangs up.
    case hang
    /// Close the connection without answering.
    case close
    /// These bytes verbatim (status line, headers and body, any framing or none), then close.
    case raw([UInt8])

    enum StreamEnding: Sendable {
        /// `data: [DONE]` and the chunked terminator.
        case done
        /// The chunked terminator alone (Anthropic's and Gemini's streams have no `[DONE]`).
        case end
        /// Close the connection mid-body (no terminator).
        case cut
        /// Stop sending but keep the connection open until the peer hangs up.
        case stall
    }
}

extension UpstreamReply {
    /// A 200 chat completion in OpenAI's shape.
    static func completion(
        _ text: String, usage: (prompt: Int, completion: Int)? = (10, 5), delay: Duration = .zero
    ) -> UpstreamReply {
        completion(
            text,
            usageJSON: usage.map {
                #"{"prompt_tokens":\#($0.prompt),"completion_tokens":\#($0.completion),"total_tokens":\#($0.prompt + $0.completion)}"#
            }, delay: delay)
    }

    /// A 200 chat completion whose `usage` is the given JSON text (for absurd numbers).
    static func completion(_ text: String, usageJSON: String?, delay: Duration = .zero) -> UpstreamReply {
        var body =
            #"{"id":"chatcmpl-fake","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":\#(jsonString(text))},"finish_reason":"stop"}]"#
        if let usageJSON { body += #","usage":\#(usageJSON)"# }
        body += "}"
        return .respond(status: 200, headers: [("content-type", "application/json")], body: body, delay: delay)
    }

    /// An OpenAI error body with `status`.
    static func error(_ status: Int, headers: [(String, String)] = [], message: String = "scripted failure")
        -> UpstreamReply
    {
        .respond(
            status: status, headers: [("content-type", "application/json")] + headers,
            body: #"{"error":{"message":\#(jsonString(message)),"type":"server_error"}}"#)
    }

    /// A streamed answer: one content event per piece, then a finish event and (optionally) a usage event.
    static func streamed(
        _ pieces: [String], usage: (prompt: Int, completion: Int)? = (10, 5), gap: Duration = .zero,
        ending: StreamEnding = .done, finish: Bool = true
    ) -> UpstreamReply {
        let usageJSON = usage.map {
            #"{"prompt_tokens":\#($0.prompt),"completion_tokens":\#($0.completion),"total_tokens":\#($0.prompt + $0.completion)}"#
        }
        return streamed(pieces, usageJSON: usageJSON, gap: gap, ending: ending, finish: finish)
    }

    /// A streamed answer whose usage event carries the given JSON text (for absurd numbers).
    static func streamed(
        _ pieces: [String], usageJSON: String?, gap: Duration = .zero, ending: StreamEnding = .done,
        finish: Bool = true
    ) -> UpstreamReply {
        var events = [
            #"{"id":"c","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"role":"assistant"},"finish_reason":null}]}"#
        ]
        for piece in pieces {
            events.append(
                #"{"id":"c","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":\#(jsonString(piece))},"finish_reason":null}]}"#
            )
        }
        if finish {
            events.append(
                #"{"id":"c","object":"chat.completion.chunk","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}"#
            )
            if let usageJSON {
                events.append(#"{"id":"c","object":"chat.completion.chunk","choices":[],"usage":\#(usageJSON)}"#)
            }
        }
        return .stream(events: events, gap: gap, ending: ending)
    }

    /// A completion, streamed or not as the request asks.
    static func answer(
        _ request: UpstreamRequest, _ text: String, usage: (prompt: Int, completion: Int)? = (10, 5),
        gap: Duration = .zero
    ) -> UpstreamReply {
        if request.isStream {
            let words = text.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
            let pieces = words.enumerated().map { $0.offset == words.count - 1 ? $0.element : $0.element + " " }
            return .streamed(pieces, usage: usage, gap: gap)
        }
        return .completion(text, usage: usage, delay: gap)
    }
}

func jsonString(_ text: String) -> String {
    let data = try! JSONSerialization.data(withJSONObject: [text], options: [.fragmentsAllowed])
    return String(decoding: data.dropFirst().dropLast(), as: UTF8.self)
}

/// An OpenAI-compatible upstream on 127.0.0.1 whose providers are path prefixes: an `openai` provider with
/// `base_url: http://127.0.0.1:PORT/NAME/v1` is provider NAME here, scripted by ``script(_:_:)`` and counted.
final class FakeUpstream: Sendable {
    typealias Script = @Sendable (_ call: Int, _ request: UpstreamRequest) -> UpstreamReply

    private struct State {
        var scripts: [String: Script] = [:]
        var calls: [String: Int] = [:]
        /// Calls whose connection Switchyard closed before the reply was complete.
        var abandoned: [String: Int] = [:]
    }

    private let state = Mutex(State())
    /// Signalled on every call received and every call abandoned, for ``waitUntil(_:timeout:_:)``.
    private let changes = Changes()
    private let server: NIOAsyncChannel<NIOAsyncChannel<HTTPServerRequestPart, ByteBuffer>, Never>
    private let task: Mutex<Task<Void, Never>?> = Mutex(nil)
    let port: Int

    private init(server: NIOAsyncChannel<NIOAsyncChannel<HTTPServerRequestPart, ByteBuffer>, Never>) {
        self.server = server
        self.port = server.channel.localAddress?.port ?? 0
    }

    /// Starts an upstream; ``shutdown()`` stops it.
    static func start() async throws -> FakeUpstream {
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(.backlog, value: 256)
            .bind(host: "127.0.0.1", port: 0) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        ByteToMessageHandler(HTTPRequestDecoder(leftOverBytesStrategy: .dropBytes)))
                    return try NIOAsyncChannel<HTTPServerRequestPart, ByteBuffer>(
                        wrappingChannelSynchronously: channel)
                }
            }
        let upstream = FakeUpstream(server: server)
        let task = Task<Void, Never> {
            try? await server.executeThenClose { connections in
                await withDiscardingTaskGroup { group in
                    do {
                        for try await connection in connections {
                            group.addTask { await upstream.serve(connection) }
                        }
                    } catch {}
                }
            }
        }
        upstream.task.withLock { $0 = task }
        return upstream
    }

    /// Closes the listener and every connection.
    func shutdown() async {
        let task = self.task.withLock { $0 }
        task?.cancel()
        server.channel.close(promise: nil)
        await task?.value
    }

    /// `base_url` for provider `name`.
    func baseURL(_ name: String) -> String { "http://127.0.0.1:\(port)/\(name)/v1" }

    /// Sets what provider `name` answers; `call` counts from 0.
    func script(_ name: String, _ script: @escaping Script) {
        state.withLock { $0.scripts[name] = script }
    }

    /// Answers every call of `name` with `reply`.
    func always(_ name: String, _ reply: UpstreamReply) {
        script(name) { _, _ in reply }
    }

    /// Calls received by provider `name`.
    func calls(_ name: String) -> Int { state.withLock { $0.calls[name] ?? 0 } }
    /// Calls received by every provider.
    var totalCalls: Int { state.withLock { $0.calls.values.reduce(0, +) } }
    /// Calls of `name` whose connection was closed by Switchyard before the reply was complete.
    func abandoned(_ name: String) -> Int { state.withLock { $0.abandoned[name] ?? 0 } }

    /// Returns once `condition` (on ``calls(_:)``, ``abandoned(_:)``) holds, re-checked on every call and every
    /// abandoned call; throws after `timeout`.
    func waitUntil(_ what: String, timeout: Duration = .seconds(10), _ condition: () -> Bool) async throws {
        try await changes.wait(what, timeout: timeout, until: condition)
    }

    private func serve(_ connection: NIOAsyncChannel<HTTPServerRequestPart, ByteBuffer>) async {
        try? await connection.executeThenClose { inbound, outbound in
            var iterator = inbound.makeAsyncIterator()
            var head: HTTPRequestHead?
            var body = ByteBuffer()
            reading: while let part = try await iterator.next() {
                switch part {
                case .head(let value): head = value
                case .body(var piece): body.writeBuffer(&piece)
                case .end: break reading
                }
            }
            guard let head else { return }
            let provider = head.uri.split(separator: "/").first.map(String.init) ?? ""
            let request = UpstreamRequest(provider: provider, uri: head.uri, body: String(buffer: body))
            let (index, script) = state.withLock { state -> (Int, Script?) in
                let index = state.calls[provider] ?? 0
                state.calls[provider] = index + 1
                return (index, state.scripts[provider])
            }
            changes.signal()
            let reply = script?(index, request) ?? .error(404, message: "no script for provider '\(provider)'")
            let completed: Bool
            do {
                completed = try await perform(reply, outbound: outbound, inbound: &iterator)
            } catch {
                completed = false
            }
            if !completed {
                state.withLock { $0.abandoned[provider, default: 0] += 1 }
                changes.signal()
            }
        }
    }

    /// Writes `reply`; false when the peer hung up before it was complete.
    private func perform(
        _ reply: UpstreamReply,
        outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>,
        inbound: inout NIOAsyncChannelInboundStream<HTTPServerRequestPart>.AsyncIterator
    ) async throws -> Bool {
        switch reply {
        case .respond(let status, let headers, let body, let delay):
            if delay > .zero { try await Task.sleep(for: delay) }
            var head = "HTTP/1.1 \(status) \(Self.reason(status))\r\n"
            for (name, value) in headers { head += "\(name): \(value)\r\n" }
            head += "content-length: \(body.utf8.count)\r\nconnection: close\r\n\r\n"
            try await outbound.write(ByteBuffer(string: head + body))
            return true
        case .stream(let events, let gap, let ending):
            try await outbound.write(
                ByteBuffer(
                    string: "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n"
                        + "connection: close\r\n\r\n"))
            for event in events {
                if gap > .zero { try await Task.sleep(for: gap) }
                try await outbound.write(Self.chunk("data: \(event)\n\n"))
            }
            switch ending {
            case .done:
                try await outbound.write(Self.chunk("data: [DONE]\n\n"))
                try await outbound.write(ByteBuffer(string: "0\r\n\r\n"))
                return true
            case .end:
                try await outbound.write(ByteBuffer(string: "0\r\n\r\n"))
                return true
            case .cut:
                return true
            case .stall:
                while try await inbound.next() != nil {}
                return false
            }
        case .stallBody(let prefix, let promised):
            try await outbound.write(
                ByteBuffer(
                    string: "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: \(promised)\r\n"
                        + "connection: close\r\n\r\n" + prefix))
            while try await inbound.next() != nil {}
            return false
        case .hang:
            while try await inbound.next() != nil {}
            return false
        case .close:
            return true
        case .raw(let bytes):
            try await outbound.write(ByteBuffer(bytes: bytes))
            return true
        }
    }

    private static func chunk(_ text: String) -> ByteBuffer {
        ByteBuffer(string: String(text.utf8.count, radix: 16) + "\r\n" + text + "\r\n")
    }

    private static func reason(_ status: Int) -> String {
        switch status {
        case 200: "OK"
        case 400: "Bad Request"
        case 429: "Too Many Requests"
        case 500: "Internal Server Error"
        case 503: "Service Unavailable"
        default: "Status"
        }
    }

    /// A port on 127.0.0.1 nothing listens on (bound, then closed): connecting to it is refused.
    static func closedPort() async throws -> Int {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(host: "127.0.0.1", port: 0).get()
        let port = channel.localAddress?.port ?? 1
        try await channel.close()
        return port
    }
}
