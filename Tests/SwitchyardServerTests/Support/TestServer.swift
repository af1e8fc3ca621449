import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import ServiceLifecycle
import SwitchyardCore
import SwitchyardServer
import SwitchyardStore
import Synchronization

/// A Switchyard service listening on 127.0.0.1 and a free port, with a client to call it.
struct TestServer: Sendable {
    let runtime: SwitchyardRuntime
    let group: ServiceGroup
    let port: Int
    let client: HTTPClient

    var databasePath: String { runtime.config.database.path }

    /// Sends a request and reads the whole answer.
    func send(
        _ method: HTTPMethod,
        _ path: String,
        body: ByteBuffer? = nil,
        headers: [String: String] = [:]
    ) async throws -> TestResponse {
        let response = try await client.execute(request(method, path, body: body, headers: headers), timeout: .seconds(40))
        let data = try await response.body.collect(upTo: 16 << 20)
        return TestResponse(status: Int(response.status.code), headers: response.headers, body: String(buffer: data))
    }

    func get(_ path: String, headers: [String: String] = [:]) async throws -> TestResponse {
        try await send(.GET, path, headers: headers)
    }

    func post(_ path: String, _ json: String, headers: [String: String] = [:]) async throws -> TestResponse {
        try await send(.POST, path, body: ByteBuffer(string: json), headers: ["content-type": "application/json"].merging(headers) { $1 })
    }

    func put(_ path: String, _ json: String, headers: [String: String] = [:]) async throws -> TestResponse {
        try await send(.PUT, path, body: ByteBuffer(string: json), headers: ["content-type": "application/json"].merging(headers) { $1 })
    }

    /// Posts and returns as soon as the response head arrives, with a reader for its server-sent events.
    func openStream(
        _ path: String,
        _ json: String,
        headers: [String: String] = [:]
    ) async throws -> (TestResponse, SSEReader) {
        let response = try await client.execute(
            request(
                .POST, path, body: ByteBuffer(string: json),
                headers: ["content-type": "application/json"].merging(headers) { $1 }),
            timeout: .seconds(40))
        let head = TestResponse(status: Int(response.status.code), headers: response.headers, body: "")
        return (head, SSEReader(iterator: response.body.makeAsyncIterator()))
    }

    /// The test server's SQLite ledger (test servers always use SQLite).
    var database: LedgerDatabase { runtime.database! }

    /// Runs a read-only SQL query on the ledger.
    func ledger(_ sql: String) async throws -> [[SQLValue]] {
        try await database.query(sql).rows
    }

    private func request(_ method: HTTPMethod, _ path: String, body: ByteBuffer?, headers: [String: String]) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(body) }
        return request
    }
}

/// A response as the tests look at it.
struct TestResponse: Sendable {
    var status: Int
    var headers: HTTPHeaders
    var body: String

    var json: JSONValue? { JSONValue(parsing: body) }

    /// `error.code` of an error body.
    var errorCode: String? { json?["error"]?["code"]?.string }
    var errorMessage: String? { json?["error"]?["message"]?.string }

    subscript(header name: String) -> String? { headers.first(name: name) }
}

/// Reads server-sent events one at a time from a streaming response.
struct SSEReader {
    var iterator: HTTPClientResponse.Body.AsyncIterator
    private var buffer = ""
    private var finished = false

    init(iterator: HTTPClientResponse.Body.AsyncIterator) {
        self.iterator = iterator
    }

    /// One server-sent event.
    enum Event: Equatable {
        /// The `data:` payload.
        case data(String)
        /// An event of comment lines only (a heartbeat).
        case comment
    }

    /// Comment-only events (heartbeats) seen so far.
    private(set) var comments = 0

    /// The next event, comments included; `nil` when the body ended.
    mutating func nextEvent() async throws -> Event? {
        while true {
            if let range = buffer.range(of: "\n\n") {
                let event = String(buffer[..<range.lowerBound])
                buffer.removeSubrange(..<range.upperBound)
                let lines = event.split(separator: "\n")
                let data = lines.filter { $0.hasPrefix("data:") }
                if data.isEmpty, lines.allSatisfy({ $0.hasPrefix(":") }) {
                    comments += 1
                    return .comment
                }
                return .data(data.map { $0.dropFirst(5).drop(while: { $0 == " " }) }.joined(separator: "\n"))
            }
            guard !finished, let chunk = try await iterator.next() else {
                finished = true
                return nil
            }
            buffer += String(buffer: chunk)
        }
    }

    /// The `data:` payload of the next event, or `nil` when the body ended. Comments are skipped.
    mutating func next() async throws -> String? {
        while let event = try await nextEvent() {
            if case .data(let data) = event { return data }
        }
        return nil
    }

    /// Every remaining event.
    mutating func rest() async throws -> [String] {
        var events: [String] = []
        while let event = try await next() { events.append(event) }
        return events
    }

    /// Text that did not form a complete event.
    var leftover: String { buffer }
}

/// A logger that shows warnings and errors, so a failing test explains itself without flooding the output.
let testLogger: Logger = {
    var logger = Logger(label: "switchyard-test", factory: { StreamLogHandler.standardError(label: $0) })
    logger.logLevel = .warning
    return logger
}()

/// Reads a test configuration: YAML, listening on port 0, health checks off unless the YAML sets them.
func testConfig(_ yaml: String) throws -> SwitchyardConfig {
    var text = yaml
    if !yaml.contains("health_checks:") { text += "\nhealth_checks: {enabled: false}\n" }
    var config = try SwitchyardConfig(yaml: text)
    config.server.port = 0
    return config
}

/// One simulated provider `sim` (model `sim-1`, priced $1/$2 per MTok, answering at once) and route `default`.
let simulatedYAML = """
    providers:
      - name: sim
        kind: simulated
        models:
          - {name: sim-1, input_usd_per_mtok: 1.00, output_usd_per_mtok: 2.00}
        simulated: {latency_ms: 0}
    """

/// A fresh directory for a test's database, removed afterwards.
func withTemporaryDirectory<T>(_ body: (URL) async throws -> T) async throws -> T {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("switchyard-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    return try await body(directory)
}

/// Starts Switchyard with `config` (its database in a temporary directory unless `databasePath` is given), runs
/// `body`, then shuts the service down gracefully, as SIGTERM would.
func withServer<T: Sendable>(
    _ config: SwitchyardConfig,
    environment: [String: String] = [:],
    databasePath: String? = nil,
    sseHeartbeat: Duration = .seconds(15),
    _ body: (TestServer) async throws -> T
) async throws -> T {
    if let databasePath {
        return try await runServer(
            config, environment: environment, databasePath: databasePath, sseHeartbeat: sseHeartbeat, body)
    }
    return try await withTemporaryDirectory { directory in
        try await runServer(
            config, environment: environment, databasePath: directory.appendingPathComponent("ledger.sqlite").path,
            sseHeartbeat: sseHeartbeat, body)
    }
}

private func runServer<T: Sendable>(
    _ config: SwitchyardConfig,
    environment: [String: String],
    databasePath: String,
    sseHeartbeat: Duration,
    _ body: (TestServer) async throws -> T
) async throws -> T {
    var config = config
    config.database.path = databasePath
    return try await SwitchyardRuntime.withRuntime(
        config: config, environment: environment, sseHeartbeat: sseHeartbeat, logger: testLogger
    ) { runtime in
        try await serve(runtime, body)
    }
}

private func serve<T: Sendable>(_ runtime: SwitchyardRuntime, _ body: (TestServer) async throws -> T) async throws -> T {
    let (ports, portContinuation) = AsyncStream<Int>.makeStream()
    let group = runtime.makeServiceGroup(gracefulShutdownSignals: []) { port in
        portContinuation.yield(port)
        portContinuation.finish()
    }
    let client = HTTPClient(eventLoopGroupProvider: .singleton)
    let result: Result<T, any Error> = await withTaskGroup(of: Void.self) { tasks in
        let serviceResult = ServiceResult()
        tasks.addTask {
            do {
                try await group.run()
            } catch {
                serviceResult.set(error)
            }
            portContinuation.finish()
        }
        var iterator = ports.makeAsyncIterator()
        let result: Result<T, any Error>
        if let port = await iterator.next() {
            do {
                result = .success(try await body(TestServer(runtime: runtime, group: group, port: port, client: client)))
            } catch {
                result = .failure(error)
            }
        } else {
            result = .failure(serviceResult.error ?? TestServerError.didNotStart)
        }
        await group.triggerGracefulShutdown()
        await tasks.waitForAll()
        if case .success = result, let error = serviceResult.error { return .failure(error) }
        return result
    }
    try? await client.shutdown()
    return try result.get()
}

private final class ServiceResult: Sendable {
    private let storage = Synchronization.Mutex<(any Error)?>(nil)
    func set(_ error: any Error) { storage.withLock { $0 = error } }
    var error: (any Error)? { storage.withLock { $0 } }
}

enum TestServerError: Error { case didNotStart }
