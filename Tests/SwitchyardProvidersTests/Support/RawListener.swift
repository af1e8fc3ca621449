import Foundation
import Glibc

/// A TCP listener on 127.0.0.1 driven by plain POSIX calls, for the failures an HTTP server framework cannot be made
/// to produce: a connection closed right after the request arrived, or a connect that never completes.
final class RawListener: @unchecked Sendable {
    // @unchecked: the descriptors are only created in `init` and closed in `close()`, which the owner calls once.
    let port: Int
    private let descriptor: Int32
    private var fillers: [Int32] = []

    /// Binds a free port and listens with `backlog`.
    init(backlog: Int32 = 16) throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw RawListenerError(step: "socket") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                bind(descriptor, socketAddress, length) == 0 && getsockname(descriptor, socketAddress, &length) == 0
            }
        }
        guard bound, listen(descriptor, backlog) == 0 else {
            Glibc.close(descriptor)
            throw RawListenerError(step: "bind/listen")
        }
        self.descriptor = descriptor
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Fills the accept queue (the listener never accepts), so that further connects hang: Linux drops a SYN to a
    /// listener whose queue is full. Use with `backlog: 0`.
    func fillAcceptQueue(connections: Int = 3) {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        for _ in 0..<connections {
            let filler = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
            guard filler >= 0 else { continue }
            _ = withUnsafePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(filler, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            fillers.append(filler)
        }
    }

    /// Accepts one connection on a thread of its own, reads the whole request (head and `content-length` body), then
    /// closes the connection without answering. Returns once the connection is closed.
    func acceptReadRequestAndClose() async throws {
        let descriptor = self.descriptor
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            Thread.detachNewThread {
                let connection = accept(descriptor, nil, nil)
                guard connection >= 0 else {
                    continuation.resume(throwing: RawListenerError(step: "accept"))
                    return
                }
                Self.readRequest(from: connection)
                Glibc.close(connection)
                continuation.resume()
            }
        }
    }

    /// Accepts one connection on a thread of its own, reads the request, then answers `200` with an event stream:
    /// `body` in HTTP chunks with plain blocking writes, reporting each byte the kernel took to `wrote` (its send
    /// buffer is kept small, so the count follows what the client reads). Returns once the body is written or the
    /// client went away.
    func acceptAndStream(_ body: [String], wrote: @escaping @Sendable (Int) -> Void) async throws {
        let descriptor = self.descriptor
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            Thread.detachNewThread {
                let connection = accept(descriptor, nil, nil)
                guard connection >= 0 else {
                    continuation.resume(throwing: RawListenerError(step: "accept"))
                    return
                }
                defer { Glibc.close(connection) }
                var sendBuffer: Int32 = 64 << 10
                setsockopt(connection, SOL_SOCKET, SO_SNDBUF, &sendBuffer, socklen_t(MemoryLayout<Int32>.size))
                Self.readRequest(from: connection)
                let head = "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n"
                guard Self.write(head, to: connection) else { return continuation.resume() }
                for piece in body {
                    let chunk = String(piece.utf8.count, radix: 16) + "\r\n" + piece + "\r\n"
                    guard Self.write(chunk, to: connection) else { return continuation.resume() }
                    wrote(piece.utf8.count)
                }
                _ = Self.write("0\r\n\r\n", to: connection)
                continuation.resume()
            }
        }
    }

    /// Writes all of `text`, blocking while the send buffer is full; `false` when the connection is gone.
    private static func write(_ text: String, to connection: Int32) -> Bool {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard written > 0 else { return false }
            bytes = bytes.dropFirst(written)
        }
        return true
    }

    private static func readRequest(from connection: Int32) {
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = read(connection, &buffer, buffer.count)
            guard count > 0 else { return }
            received += buffer[0..<count]
            let text = String(decoding: received, as: UTF8.self)
            guard let headEnd = text.range(of: "\r\n\r\n") else { continue }
            let head = text[..<headEnd.lowerBound].lowercased()
            let length =
                head.split(separator: "\r\n").first { $0.hasPrefix("content-length:") }
                .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
            if text.utf8.count - text.utf8.distance(from: text.startIndex, to: headEnd.upperBound) >= length {
                return
            }
        }
    }

    func close() {
        for filler in fillers { Glibc.close(filler) }
        shutdown(descriptor, Int32(SHUT_RDWR))  // wakes a thread still blocked in accept
        Glibc.close(descriptor)
    }
}

struct RawListenerError: Error {
    var step: String
}

/// Runs `body` with a raw listener, closed afterwards.
func withRawListener<T>(backlog: Int32 = 16, _ body: (RawListener) async throws -> T) async throws -> T {
    let listener = try RawListener(backlog: backlog)
    defer { listener.close() }
    return try await body(listener)
}
