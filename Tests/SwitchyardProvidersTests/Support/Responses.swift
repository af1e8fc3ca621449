import SwitchyardTesting
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Canned upstream answers.
enum Reply {
    /// A JSON body with a status and extra headers.
    static func json(_ text: String, status: HTTPResponse.Status = .ok, headers: [String: String] = [:]) -> Response {
        var fields = HTTPFields()
        fields[.contentType] = "application/json"
        for (name, value) in headers { fields[HTTPField.Name(name)!] = value }
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// An event stream written piece by piece (pieces are written exactly as given, so tests control the framing).
    ///
    /// - Parameters:
    ///   - pieces: raw body pieces.
    ///   - then: what happens after the last piece: end the body cleanly, stall until the gate opens, or break the
    ///     connection (the writer throws, so the chunked body never gets its terminator).
    static func events(_ pieces: [String], then ending: StreamEnding = .end) -> Response {
        var fields = HTTPFields()
        fields[.contentType] = "text/event-stream"
        return Response(
            status: .ok, headers: fields,
            body: ResponseBody { writer in
                for piece in pieces { try await writer.write(ByteBuffer(string: piece)) }
                switch ending {
                case .end:
                    try await writer.finish(nil)
                case .stall(let gate):
                    try await gate.wait()
                    try await writer.finish(nil)
                case .breakConnection(let gate):
                    try await gate.wait()
                    throw ConnectionBroken()
                }
            })
    }

    enum StreamEnding: Sendable {
        case end
        case stall(Gate)
        /// Waits for the gate (so the test knows the pieces arrived), then breaks the connection.
        case breakConnection(Gate)
    }

    struct ConnectionBroken: Error {}

    /// SSE framing of `data:` events (and an optional `event:` name), each ended by a blank line.
    static func sse(_ data: [String], event names: [String?]? = nil) -> [String] {
        data.enumerated().map { index, payload in
            let name = names?[index].map { "event: \($0)\n" } ?? ""
            return name + "data: \(payload)\n\n"
        }
    }

    /// An HTTP date (IMF-fixdate) for `Retry-After`.
    static func httpDate(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return formatter.string(from: date)
    }
}
