import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// One HTTP exchange with the server under test, as a client on a raw socket sees it.
struct HTTPExchange: Sendable, CustomStringConvertible {
    var status: Int
    var headers: [(String, String)]
    var body: [UInt8]
    /// The `data:` payloads of a `text/event-stream` body, in order.
    var events: [String]
    /// The client closed the connection on purpose before the answer was complete.
    var hungUp: Bool
    /// Wall time from sending the request to the end of the exchange.
    var elapsed: Duration

    var text: String { String(decoding: body, as: UTF8.self) }

    func header(_ name: String) -> String? {
        headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }

    /// The JSON body as an object, if it is one.
    var json: [String: Any]? { (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] }

    /// `error.code` of a JSON error body.
    var errorCode: String? { (json?["error"] as? [String: Any])?["code"] as? String }

    var requestID: String? { header("x-switchyard-request-id") }
    var provider: String? { header("x-switchyard-provider") }

    /// The stream ended with `data: [DONE]`.
    var isDone: Bool { events.last == "[DONE]" }

    /// `error.code` of an error event in a stream.
    var streamErrorCode: String? {
        for event in events.reversed() {
            guard let object = (try? JSONSerialization.jsonObject(with: Data(event.utf8))) as? [String: Any],
                let error = object["error"] as? [String: Any]
            else { continue }
            return error["code"] as? String
        }
        return nil
    }

    var description: String {
        "HTTP \(status)\(hungUp ? " (hung up)" : "") after \(elapsed): \(text.prefix(600))"
    }
}

/// When a client hangs up before the answer is complete.
enum HangUp: Sendable {
    case never
    /// After this many `data:` events of a 200 stream.
    case afterEvents(Int)
    /// Once `event` returns (it waits for something, such as ``FakeUpstream/waitUntil(_:timeout:_:)``), without
    /// reading the answer.
    case when(@Sendable () async throws -> Void)
    /// After this much time, without reading the answer.
    case after(Duration)
}

/// A minimal HTTP/1.1 client on NIO that can send any bytes and hang up at any moment.
enum RawHTTP {
    /// Sends one request on a new connection and reads the answer (or hangs up as told). Throws when the server
    /// cannot be reached or does not finish within `timeout`.
    static func send(
        port: Int,
        method: String = "POST",
        path: String,
        body: [UInt8]? = nil,
        headers: [(String, String)] = [("content-type", "application/json")],
        hangUp: HangUp = .never,
        timeout: Duration = .seconds(15)
    ) async throws -> HTTPExchange {
        let start = ContinuousClock.now
        let (channel, async) = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.seconds(2))
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    return (
                        channel,
                        try NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>(
                            wrappingChannelSynchronously: channel)
                    )
                }
            }
        let timedOut = Flag()
        let hungUp = Flag()
        let watchdog = Task {
            try await Task.sleep(for: timeout)
            timedOut.set()
            channel.close(promise: nil)
        }
        defer { watchdog.cancel() }
        var head = HTTPRequestHead(version: .http1_1, method: HTTPMethod(rawValue: method), uri: path)
        head.headers.add(name: "host", value: "127.0.0.1:\(port)")
        for (name, value) in headers { head.headers.add(name: name, value: value) }
        if let body { head.headers.add(name: "content-length", value: "\(body.count)") }
        head.headers.add(name: "connection", value: "close")
        let sentHead = head
        do {
            return try await async.executeThenClose { inbound, outbound in
                // In one write and flush: a server that answers as soon as it has the head (a GET) and closes the
                // connection must not find a part of the request still to come.
                var parts: [HTTPClientRequestPart] = [.head(sentHead)]
                if let body { parts.append(.body(.byteBuffer(ByteBuffer(bytes: body)))) }
                parts.append(.end(nil))
                try await outbound.write(contentsOf: parts)
                switch hangUp {
                case .when(let event):
                    try await event()
                    hungUp.set()
                    return HTTPExchange(
                        status: 0, headers: [], body: [], events: [], hungUp: true, elapsed: start.duration(to: .now))
                case .after(let delay):
                    try await Task.sleep(for: delay)
                    hungUp.set()
                    return HTTPExchange(
                        status: 0, headers: [], body: [], events: [], hungUp: true, elapsed: start.duration(to: .now))
                case .never, .afterEvents:
                    break
                }
                var exchange = HTTPExchange(status: 0, headers: [], body: [], events: [], hungUp: false, elapsed: .zero)
                var parser = SSEParser()
                var isStream = false
                for try await part in inbound {
                    switch part {
                    case .head(let response):
                        exchange.status = Int(response.status.code)
                        exchange.headers = response.headers.map { ($0.name, $0.value) }
                        isStream = response.headers.first(name: "content-type")?.contains("text/event-stream") == true
                    case .body(let buffer):
                        let bytes = Array(buffer.readableBytesView)
                        exchange.body += bytes
                        if isStream {
                            exchange.events += parser.feed(bytes)
                            if case .afterEvents(let count) = hangUp, exchange.status == 200,
                                exchange.events.count >= count
                            {
                                exchange.hungUp = true
                                exchange.elapsed = start.duration(to: .now)
                                return exchange
                            }
                        }
                    case .end:
                        exchange.elapsed = start.duration(to: .now)
                        return exchange
                    }
                }
                throw TestFailure(
                    "the connection closed before the answer ended (\(exchange.status), \(exchange.text.prefix(300)))")
            }
        } catch is ChannelError where hungUp.isSet {
            // Closing a connection we hung up on may race with the server's side of it: that is the point.
            return HTTPExchange(
                status: 0, headers: [], body: [], events: [], hungUp: true, elapsed: start.duration(to: .now))
        } catch {
            if timedOut.isSet {
                throw TestFailure("\(method) \(path): no complete answer within \(timeout)")
            }
            throw error
        }
    }

    /// `send` with a JSON text body.
    static func post(
        port: Int, path: String = "/v1/chat/completions", json: String, headers: [(String, String)] = [],
        hangUp: HangUp = .never, timeout: Duration = .seconds(15)
    ) async throws -> HTTPExchange {
        try await send(
            port: port, path: path, body: Array(json.utf8), headers: [("content-type", "application/json")] + headers,
            hangUp: hangUp, timeout: timeout)
    }

    static func get(port: Int, path: String, timeout: Duration = .seconds(10)) async throws -> HTTPExchange {
        try await send(port: port, method: "GET", path: path, headers: [], timeout: timeout)
    }

    /// `GET /users/{id}/budget`: spent and reserved micro-dollars.
    static func budget(port: Int, user: String) async throws -> (spent: Int64, reserved: Int64, limit: Int64) {
        let answer = try await get(port: port, path: "/users/\(user)/budget")
        guard let json = answer.json, let spent = json["spent_usd_micros"] as? NSNumber,
            let reserved = json["reserved_usd_micros"] as? NSNumber, let limit = json["limit_usd_micros"] as? NSNumber
        else { throw TestFailure("budget of \(user): \(answer)") }
        return (spent.int64Value, reserved.int64Value, limit.int64Value)
    }
}

/// Splits a server-sent event stream into its `data:` payloads.
struct SSEParser {
    private var pending: [UInt8] = []

    mutating func feed(_ bytes: [UInt8]) -> [String] {
        pending += bytes
        var events: [String] = []
        while let end = Self.eventEnd(in: pending) {
            let block = String(decoding: pending[..<end], as: UTF8.self)
            pending.removeFirst(end + 2)
            let data = block.split(separator: "\n").filter { $0.hasPrefix("data:") }.map {
                $0.dropFirst(5).drop { $0 == " " }
            }
            if !data.isEmpty { events.append(data.joined(separator: "\n")) }
        }
        return events
    }

    private static func eventEnd(in bytes: [UInt8]) -> Int? {
        guard bytes.count >= 2 else { return nil }
        for index in 0..<(bytes.count - 1) where bytes[index] == 10 && bytes[index + 1] == 10 { return index }
        return nil
    }
}
