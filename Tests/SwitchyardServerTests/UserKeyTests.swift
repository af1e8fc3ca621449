import Foundation
import HTTPTypes
import SwitchyardCore
import SwitchyardServer
import SwitchyardStore
import Testing

@Suite("User API keys on the chat endpoints", .timeLimit(.minutes(1)))
struct UserKeyTests {
    static func user(of response: TestResponse, _ server: TestServer) async throws -> String? {
        guard let id = response[header: "x-switchyard-request-id"] else { return nil }
        return try await server.ledger("SELECT user_id FROM requests WHERE id = '\(id)'").first?.first?.description
    }

    @Test func aUserKeyMakesRequestsAsItsUserAndCannotNameAnother() async throws {
        try await withServer(try testConfig(simulatedYAML)) { server in
            let created = try await APIKeyStore(database: server.database).createKey(userID: "keyed")
            let bearer = ["authorization": "Bearer \(created.key)"]

            let chat = try await server.post("/v1/chat/completions", chatBody(extra: #""user": "keyed""#), headers: bearer)
            #expect(chat.status == 200)
            #expect(try await Self.user(of: chat, server) == "keyed")

            let simple = try await server.post("/chat/completions", #"{"prompt": "hi"}"#, headers: bearer)
            #expect(simple.status == 200)
            #expect(try await Self.user(of: simple, server) == "keyed")

            // Naming someone else is refused before anything is reserved or recorded.
            for (path, body) in [
                ("/v1/chat/completions", chatBody(extra: #""user": "mallory""#)),
                ("/chat/completions", #"{"prompt": "hi", "user_id": "mallory"}"#),
            ] {
                let refused = try await server.post(path, body, headers: bearer)
                #expect(refused.status == 403, "\(path)")
                #expect(refused.body.contains("user_not_allowed"), "\(path)")
            }
            #expect(try await server.ledger("SELECT count(*) FROM ledger WHERE user_id = 'mallory'").first?.first?.description == "0")

            let (head, _) = try await server.openStream(
                "/v1/chat/completions", chatBody(extra: #""stream": true"#), headers: bearer)
            #expect(head.status == 200)
            // The stream is still running: its request row is committed by the ledger writer on its own schedule.
            try await waitUntil("the stream's request is in the ledger") {
                try await Self.user(of: head, server) != nil
            }
            #expect(try await Self.user(of: head, server) == "keyed")
        }
    }

    @Test func badSwitchyardKeysAre401EvenWhenKeysAreOptional() async throws {
        try await withServer(try testConfig(simulatedYAML)) { server in
            let created = try await APIKeyStore(database: server.database).createKey(userID: "keyed")
            let unknown = "sy-" + String(repeating: "a", count: APIKeyFormat.randomLength)
            // The created key with its last character changed (to another one, whatever it was).
            let altered = String(created.key.dropLast()) + (created.key.hasSuffix("x") ? "y" : "x")
            for key in [unknown, "sy-tooshort1", altered] {
                let response = try await server.post(
                    "/v1/chat/completions", chatBody(), headers: ["authorization": "Bearer \(key)"])
                #expect(response.status == 401, "\(key.prefix(8))")
                #expect(response.errorCode == "unauthorized")
                #expect(!response.body.contains(key), "the key must not be echoed")
            }
            // An OpenAI SDK's placeholder key is not a Switchyard key: ignored, the claimed user pays.
            let placeholder = try await server.post(
                "/v1/chat/completions", chatBody(extra: #""user": "sdk-user""#),
                headers: ["authorization": "Bearer sk-placeholder"])
            #expect(placeholder.status == 200)
            #expect(try await Self.user(of: placeholder, server) == "sdk-user")
        }
    }

    @Test func requiredKeysRefuseRequestsWithoutOne() async throws {
        try await withServer(try testConfig(simulatedYAML + "\nkeys: {required: true}\n")) { server in
            let created = try await APIKeyStore(database: server.database).createKey(userID: "keyed")
            let missing = try await server.post("/v1/chat/completions", chatBody(extra: #""user": "claimed""#))
            #expect(missing.status == 401)
            #expect(missing.json?["error"]?["type"]?.string == "authentication_error")
            let simple = try await server.post("/chat/completions", #"{"prompt": "hi"}"#)
            #expect(simple.status == 401)
            let foreign = try await server.post(
                "/v1/chat/completions", chatBody(), headers: ["authorization": "Bearer sk-openai"])
            #expect(foreign.status == 401)
            let (stream, _) = try await server.openStream("/v1/chat/completions", chatBody(extra: #""stream": true"#))
            #expect(stream.status == 401)

            let keyed = try await server.post(
                "/v1/chat/completions", chatBody(), headers: ["authorization": "Bearer \(created.key)"])
            #expect(keyed.status == 200)
            #expect(try await Self.user(of: keyed, server) == "keyed")
            // Nothing unauthenticated reached the ledger.
            let rows = try await server.ledger("SELECT count(*) FROM requests")
            #expect(rows.first?.first?.description == "1")
        }
    }
}
