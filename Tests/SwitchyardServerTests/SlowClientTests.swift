import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import SwitchyardCore
import SwitchyardServer
import SwitchyardStore
import Synchronization
import SwitchyardTesting
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Clients that leave or stop reading mid-stream, through real sockets.
@Suite("Slow and departing streaming clients", .timeLimit(.minutes(1)))
struct SlowClientTests {
    /// An upstream that streams big chunks for as long as it is read, counting the bytes it managed to write.
    final class Firehose: Sendable {
        let written = Atomic<Int>(0)
        static let chunk: String = {
            let text = String(repeating: "x", count: 16 * 1024)
            return "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"\(text)\"},\"finish_reason\":null}]}\n\n"
        }()
        static let limit = 200 * 1024 * 1024

        func response() -> Response {
            Response(
                status: .ok, headers: [.contentType: "text/event-stream"],
                body: ResponseBody { writer in
                    while self.written.load(ordering: .relaxed) < Self.limit {
                        try await writer.write(ByteBuffer(string: Self.chunk))
                        self.written.add(Self.chunk.utf8.count, ordering: .relaxed)
                    }
                    try await writer.finish(nil)
                })
        }
    }

    /// The client sends a streamed request and then reads nothing. Switchyard must not buffer the upstream's answer
    /// for it: after `stream_stall_timeout_ms` the request ends as cancelled (billed), the upstream call stops, and
    /// what the upstream could write stays far below what it would have sent.
    @Test func aClientThatStopsReadingIsCutOffAndPinsNoMemory() async throws {
        let firehose = Firehose()
        try await withFakeUpstream({ _ in firehose.response() }) { upstream in
            let config = try testConfig(
                """
                server: {stream_stall_timeout_ms: 200}
                providers:
                  - {name: primary, kind: openai, base_url: "\(upstream.baseURL)", retry: {max_attempts: 1}, \
                models: [{name: gpt-test, input_usd_per_mtok: 1.00, output_usd_per_mtok: 0.01, max_output_tokens: 10000000}]}
                """)
            try await withServer(config) { server in
                let socket = try RawClient(port: server.port, receiveBuffer: 4096)
                defer { socket.close() }
                try socket.send(
                    "POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                        + "Content-Length: \(chatBody(extra: #""stream": true"#).utf8.count)\r\n\r\n"
                        + chatBody(extra: #""stream": true"#))
                try await waitUntil("the request is finished in the ledger", timeout: .seconds(30)) {
                    try await server.ledger("SELECT status FROM requests").first?.first?.description == "cancelled"
                }
                let rows = try await server.ledger("SELECT cost_usd_micros FROM requests")
                #expect((rows.first?.first.flatMap { Int($0.description) } ?? 0) > 0)
                let written = firehose.written.load(ordering: .relaxed)
                #expect(written < 64 * 1024 * 1024, "the upstream wrote \(written) bytes for a client that read none")
            }
        }
    }

    /// A client that reads a chunk and hangs up pays for the prompt and what it received.
    @Test func aClientThatHangsUpMidStreamIsBilled() async throws {
        let never = Gate()
        try await withFakeUpstream({ _ in OpenAIReply.events(OpenAIReply.streamStart, then: .breakConnection(never)) }) {
            upstream in
            try await withServer(try Configs.primaryOnly(upstream), sseHeartbeat: .milliseconds(20)) { server in
                defer { never.open() }
                let socket = try RawClient(port: server.port, receiveBuffer: 65536)
                let body = chatBody(extra: #""stream": true, "user": "carol""#)
                try socket.send(
                    "POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                        + "Content-Length: \(body.utf8.count)\r\n\r\n" + body)
                #expect(await socket.receive(until: "Hel").contains("Hel"))
                socket.close()
                try await waitUntil("the request is finished in the ledger") {
                    try await server.ledger("SELECT status FROM requests").first?.first?.description == "cancelled"
                }
                let row = try await server.ledger(
                    "SELECT r.cost_usd_micros, a.tokens_estimated, a.outcome FROM requests r JOIN attempts a ON a.request_id = r.id")
                // "Say hello": at most 9 + 2 × 8 = 25 prompt tokens at $1/MTok, plus the text that reached the router
                // before it noticed: "Hel" (1 token at $2/MTok) or "Hello" (2 tokens).
                let fields: [String] = try #require(row.first).map(\.description)
                #expect(["27", "29"].contains(fields[0]), "\(fields)")
                #expect(fields[1...] == ["1", "cancelled"])
                let spent = try await server.ledger("SELECT spent_usd_micros, reserved_usd_micros FROM budgets WHERE user_id = 'carol'")
                #expect(spent.first?.map(\.description) == [fields[0], "0"])
            }
        }
    }
}

/// A blocking TCP client with a small receive buffer, for clients that misbehave on purpose.
final class RawClient: Sendable {
    let descriptor: Int32

    init(port: Int, receiveBuffer: Int32) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw POSIXError(.EIO) }
        var size = receiveBuffer
        setsockopt(descriptor, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { throw POSIXError(.ECONNREFUSED) }
    }

    func send(_ text: String) throws {
        let bytes = Array(text.utf8)
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, 0) }
            guard n > 0 else { throw POSIXError(.EPIPE) }
            sent += n
        }
    }

    /// Reads until `marker` has arrived (or the peer closes); returns what was read. The blocking reads run on a
    /// Dispatch thread: a test must never block one of the few threads of Swift's cooperative pool.
    func receive(until marker: String) async -> String {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: self.blockingReceive(until: marker)) }
        }
    }

    private func blockingReceive(until marker: String) -> String {
        var received = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !String(decoding: received, as: UTF8.self).contains(marker) {
            let n = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            guard n > 0 else { break }
            received += buffer[..<n]
        }
        return String(decoding: received, as: UTF8.self)
    }

    func close() {
        shutdown(descriptor, Int32(SHUT_RDWR))
        _ = Glibc.close(descriptor)
    }
}
