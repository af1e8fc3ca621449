import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import SwitchyardCore
import Synchronization

/// One request a fake upstream received.
struct RecordedRequest: Sendable {
    var method: String
    /// Path and query, as sent.
    var uri: String
    /// Header names lower-cased.
    var headers: [String: String]
    var body: String

    /// The body parsed as JSON.
    var json: JSONValue? { JSONValue(parsing: body) }
}

/// A real HTTP server on 127.0.0.1 and a free port that speaks as much of the OpenAI chat API as a test scripts,
/// recording every request.
final class FakeUpstream: Sendable {
    typealias Handler = @Sendable (RecordedRequest) async throws -> Response

    let port: Int
    private let log: RequestLog

    fileprivate init(port: Int, log: RequestLog) {
        self.port = port
        self.log = log
    }

    /// The `base_url` of an `openai` provider pointing here.
    var baseURL: String { "http://127.0.0.1:\(port)/v1" }

    var requests: [RecordedRequest] { log.requests.withLock { $0 } }
    var hits: Int { log.requests.withLock { $0.count } }
}

/// Runs `body` with a fake upstream serving `handler`, then shuts it down gracefully.
///
/// Graceful, not cancelled: cancelling a Hummingbird server can drop a connection it accepted but had not started
/// serving, which NIO treats as a programming error. Handlers waiting on a ``Gate`` must be released first.
func withFakeUpstream<T: Sendable>(
    _ handler: @escaping FakeUpstream.Handler,
    _ body: (FakeUpstream) async throws -> T
) async throws -> T {
    let log = RequestLog()
    let (ports, portContinuation) = AsyncStream<Int>.makeStream()
    let quiet = Logger(label: "fake-upstream", factory: { _ in SwiftLogNoOpLogHandler() })
    let router = Hummingbird.Router()
    router.post("/v1/chat/completions") { request, _ in
        let body = try await request.body.collect(upTo: 1 << 22)
        var headers: [String: String] = [:]
        for field in request.headers { headers[field.name.canonicalName] = field.value }
        let recordedRequest = RecordedRequest(
            method: request.method.rawValue, uri: request.uri.description, headers: headers,
            body: String(buffer: body))
        log.requests.withLock { $0.append(recordedRequest) }
        return try await handler(recordedRequest)
    }
    let app = Application(
        router: router,
        configuration: .init(address: .hostname("127.0.0.1", port: 0), serverName: nil),
        onServerRunning: { channel in
            portContinuation.yield(channel.localAddress?.port ?? 0)
            portContinuation.finish()
        },
        logger: quiet)
    let services = ServiceGroup(configuration: .init(services: [app], logger: quiet))
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await services.run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw FakeUpstreamError.didNotStart }
        let result: Result<T, any Error>
        do {
            result = .success(try await body(FakeUpstream(port: port, log: log)))
        } catch {
            result = .failure(error)
        }
        await services.triggerGracefulShutdown()
        try await group.waitForAll()
        return try result.get()
    }
}

private final class RequestLog: Sendable {
    let requests = Mutex<[RecordedRequest]>([])
}

enum FakeUpstreamError: Error { case didNotStart }
