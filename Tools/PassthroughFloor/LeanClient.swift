import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// A minimal HTTP/1.1 client to one upstream, to measure against AsyncHTTPClient (`--client lean`): a fixed set of
/// keep-alive connections, each served by one task that sends one request at a time, requests given out round
/// robin. No redirects, no TLS, no retries, no time-outs: only what the floor's happy path needs.
final class LeanClient: Sendable {
    struct Job: Sendable {
        var path: String
        var body: ByteBuffer
        var continuation: CheckedContinuation<(HTTPResponseHead, ByteBuffer), any Error>
    }

    private let connections: [AsyncStream<Job>.Continuation]
    private let next = Atomic<Int>(0)

    /// Opens `count` connections to `host:port` and starts their tasks.
    init(host: String, port: Int, count: Int) async throws {
        var connections: [AsyncStream<Job>.Continuation] = []
        for _ in 0..<count {
            let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connect(host: host, port: port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHTTPClientHandlers()
                        return try NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>(
                            wrappingChannelSynchronously: channel)
                    }
                }
            let (jobs, continuation) = AsyncStream.makeStream(of: Job.self)
            connections.append(continuation)
            Task { try await Self.serve(channel, host: host, jobs: jobs) }
        }
        self.connections = connections
    }

    /// Sends a `POST` of `body` to `path`; the response head and its whole body.
    func post(path: String, body: ByteBuffer) async throws -> (HTTPResponseHead, ByteBuffer) {
        let index = Int(UInt(bitPattern: next.wrappingAdd(1, ordering: .relaxed).oldValue) % UInt(connections.count))
        return try await withCheckedThrowingContinuation { continuation in
            connections[index].yield(Job(path: path, body: body, continuation: continuation))
        }
    }

    private static func serve(
        _ channel: NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>, host: String, jobs: AsyncStream<Job>
    ) async throws {
        try await channel.executeThenClose { inbound, outbound in
            var responses = inbound.makeAsyncIterator()
            for await job in jobs {
                var headers = HTTPHeaders()
                headers.add(name: "host", value: host)
                headers.add(name: "content-type", value: "application/json")
                headers.add(name: "content-length", value: String(job.body.readableBytes))
                do {
                    try await outbound.write(.head(HTTPRequestHead(version: .http1_1, method: .POST, uri: job.path, headers: headers)))
                    try await outbound.write(.body(.byteBuffer(job.body)))
                    try await outbound.write(.end(nil))
                    var head: HTTPResponseHead?
                    var body = ByteBuffer()
                    reading: while let part = try await responses.next() {
                        switch part {
                        case .head(let received): head = received
                        case .body(var piece): body.writeBuffer(&piece)
                        case .end: break reading
                        }
                    }
                    guard let head else { throw ChannelError.eof }
                    job.continuation.resume(returning: (head, body))
                } catch {
                    job.continuation.resume(throwing: error)
                    throw error
                }
            }
        }
    }
}
