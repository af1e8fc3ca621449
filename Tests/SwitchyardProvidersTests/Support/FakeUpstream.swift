import AsyncHTTPClient
import SwitchyardTesting
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import SwitchyardCore
import SwitchyardProviders
import Synchronization

/// One request the fake upstream received.
struct RecordedRequest: Sendable {
    var method: String
    /// Path and query, as sent.
    var uri: String
    /// Header names lower-cased.
    var headers: [String: String]
    var body: String

    /// The body parsed as JSON.
    var json: JSONValue? {
        try? JSONDecoder().decode(JSONValue.self, from: Data(body.utf8))
    }

    /// Follows object keys and array indexes (`"messages", 0, "role"`).
    func json(_ path: any JSONPathElement...) -> JSONValue? {
        var value = json
        for element in path { value = value.flatMap(element.select) }
        return value
    }
}

protocol JSONPathElement {
    func select(from value: JSONValue) -> JSONValue?
}

extension String: JSONPathElement {
    func select(from value: JSONValue) -> JSONValue? {
        guard case .object(let object) = value else { return nil }
        return object[self]
    }
}

extension Int: JSONPathElement {
    func select(from value: JSONValue) -> JSONValue? {
        guard case .array(let items) = value, items.indices.contains(self) else { return nil }
        return items[self]
    }
}

extension JSONValue {
    fileprivate func select(_ element: any JSONPathElement) -> JSONValue? { element.select(from: self) }
}

/// A real HTTP server on 127.0.0.1 and a free port, answering with a test's handler, recording every request.
final class FakeUpstream: Sendable {
    typealias Handler = @Sendable (RecordedRequest) async throws -> Response

    let baseURL: String
    let port: Int
    private let recorded: RecordedRequests

    fileprivate init(port: Int, recorded: RecordedRequests) {
        self.baseURL = "http://127.0.0.1:\(port)"
        self.port = port
        self.recorded = recorded
    }

    var requests: [RecordedRequest] { recorded.storage.withLock { $0 } }
}

/// The recorder and handler behind the fake upstream's socket.
private struct FakeResponder: HTTPResponder {
    typealias Context = BasicRequestContext
    let handler: FakeUpstream.Handler
    let recorded: RecordedRequests

    func respond(to request: Request, context: BasicRequestContext) async throws -> Response {
        let body = try await request.body.collect(upTo: 1 << 20)
        var headers: [String: String] = [:]
        for field in request.headers { headers[field.name.canonicalName] = field.value }
        let recordedRequest = RecordedRequest(
            method: request.method.rawValue, uri: request.uri.description, headers: headers,
            body: String(buffer: body))
        recorded.append(recordedRequest)
        return try await handler(recordedRequest)
    }
}

fileprivate final class RecordedRequests: Sendable {
    let storage = Mutex<[RecordedRequest]>([])
    func append(_ request: RecordedRequest) { storage.withLock { $0.append(request) } }
}

/// Runs `body` with a fake upstream serving `handler`, then shuts the server down gracefully.
///
/// Graceful, not cancelled: a cancelled server can drop a connection it accepted but had not started serving, which
/// NIO treats as a programming error. Handlers waiting on a ``Gate`` must be released by the test body first.
func withFakeUpstream<T: Sendable>(
    _ handler: @escaping FakeUpstream.Handler,
    _ body: (FakeUpstream) async throws -> T
) async throws -> T {
    let recorded = RecordedRequests()
    let (ports, portContinuation) = AsyncStream<Int>.makeStream()
    let app = Application(
        responder: FakeResponder(handler: handler, recorded: recorded),
        configuration: .init(address: .hostname("127.0.0.1", port: 0), serverName: nil),
        onServerRunning: { channel in
            portContinuation.yield(channel.localAddress?.port ?? 0)
            portContinuation.finish()
        },
        logger: Logger(label: "fake-upstream", factory: { _ in SwiftLogNoOpLogHandler() }))
    let services = ServiceGroup(
        configuration: .init(
            services: [app], logger: Logger(label: "fake-upstream", factory: { _ in SwiftLogNoOpLogHandler() })))
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await services.run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw FakeUpstreamError.didNotStart }
        let upstream = FakeUpstream(port: port, recorded: recorded)
        let result: Result<T, any Error>
        do {
            result = .success(try await body(upstream))
        } catch {
            result = .failure(error)
        }
        await services.triggerGracefulShutdown()
        try await group.waitForAll()
        return try result.get()
    }
}

enum FakeUpstreamError: Error { case didNotStart }

/// Runs `body` with a test client and an upstream that answers nothing (then a `hello` of `kind`) until `body` ends,
/// so a call to it can only end by a time-out or the caller's deadline.
func withSilentUpstream(
    _ kind: ProviderKind,
    _ body: (FakeUpstream, HTTPClient) async throws -> Void
) async throws {
    let gate = Gate()
    try await withTestClient { client in
        try await withFakeUpstream({ _ in
            try await gate.wait()
            return Reply.json(Wire.hello(kind))
        }) { upstream in
            defer { gate.open() }
            try await body(upstream, client)
        }
    }
}
