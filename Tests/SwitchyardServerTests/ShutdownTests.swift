import SwitchyardTesting
import Foundation
import HTTPTypes
import Glibc
import ServiceLifecycle
import SwitchyardCore
import SwitchyardServer
import SwitchyardStore
import Testing

@Suite("Graceful shutdown", .timeLimit(.minutes(1)))
struct ShutdownTests {
    @Test func requestInFlightFinishesAndLosesNoLedgerRow() async throws {
        let arrived = Gate()
        let release = Gate()
        try await withFakeUpstream({ _ in
            arrived.open()
            try await release.wait()
            return OpenAIReply.answer("finished after shutdown began")
        }) { upstream in
            try await withTemporaryDirectory { directory in
                let path = directory.appendingPathComponent("ledger.sqlite").path
                let response = try await withServer(try Configs.primaryWithBackup(upstream), databasePath: path) { server in
                    async let answer = server.post("/v1/chat/completions", chatBody(extra: #""user": "grace""#))
                    try await arrived.wait()
                    await server.group.triggerGracefulShutdown()
                    try await waitUntil("the server stops accepting connections") { !canConnect(port: server.port) }
                    release.open()
                    return try await answer
                }
                #expect(response.status == 200)
                #expect(response.json?["choices"]?[0]?["message"]?["content"]?.string == "finished after shutdown began")
                let requestID = try #require(response[header: "x-switchyard-request-id"])

                // The service is gone; read the file it left.
                let database = try LedgerDatabase(path: path)
                defer { try? database.close() }
                let request = try await database.query(
                    "SELECT status, user_id, provider, finished_at IS NOT NULL FROM requests WHERE id = '\(requestID)'").rows
                #expect(request.map { $0.map(\.description) } == [["success", "grace", "primary", "1"]])
                let attempts = try await database.query(
                    "SELECT seq, provider, outcome FROM attempts WHERE request_id = '\(requestID)'").rows
                #expect(attempts.map { $0.map(\.description) } == [["1", "primary", "success"]])
                let money = try await database.query(
                    "SELECT kind FROM ledger WHERE request_id = '\(requestID)' ORDER BY id").rows
                #expect(money.map { $0.first?.description } == ["reserve", "settle", "release"])
            }
        }
    }
}

extension ShutdownTests {
    @Test func streamInFlightFinishesWithDoneAndIsRecorded() async throws {
        let resume = Gate()
        try await withFakeUpstream({ _ in
            OpenAIReply.events(OpenAIReply.streamStart, then: .stallThen(resume, OpenAIReply.streamEnd))
        }) { upstream in
            try await withTemporaryDirectory { directory in
                let path = directory.appendingPathComponent("ledger.sqlite").path
                let (requestID, events) = try await withServer(try Configs.primaryOnly(upstream), databasePath: path) {
                    server in
                    let (head, stream) = try await server.openStream("/v1/chat/completions", chatBody(extra: #""stream": true"#))
                    var reader = stream
                    #expect(try await reader.next()?.contains("Hel") == true)
                    await server.group.triggerGracefulShutdown()
                    try await waitUntil("the server stops accepting connections") { !canConnect(port: server.port) }
                    resume.open()
                    return (head[header: "x-switchyard-request-id"] ?? "", try await reader.rest())
                }
                #expect(events.last == "[DONE]")
                let database = try LedgerDatabase(path: path)
                defer { try? database.close() }
                let rows = try await database.query("SELECT status, stream FROM requests WHERE id = '\(requestID)'").rows
                #expect(rows.map { $0.map(\.description) } == [["success", "1"]])
            }
        }
    }
}

/// Whether a TCP connection to 127.0.0.1:`port` is accepted now.
func canConnect(port: Int) -> Bool {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard descriptor >= 0 else { return false }
    defer { close(descriptor) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    return withUnsafePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
        }
    }
}
