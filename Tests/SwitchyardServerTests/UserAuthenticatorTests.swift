import Foundation
import HTTPTypes
import Hummingbird
import SwitchyardStore
import Testing

@testable import SwitchyardServer

@Suite(.timeLimit(.minutes(1))) struct UserAuthenticatorTests {
    /// A ledger in a fresh temporary file with one working key of `alice` and one revoked key of `bob`.
    struct Fixture {
        var keys: APIKeyStore
        var alice: String
        var bob: String
    }

    func withFixture(_ body: (Fixture) async throws -> Void) async throws {
        let directory = FileManager.default.temporaryDirectory
            .appending(path: "switchyard-keys-tests-\(UUID().uuidString)", directoryHint: .isDirectory)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = try LedgerDatabase(path: directory.appending(path: "ledger.sqlite").path)
        let keys = APIKeyStore(database: database)
        let alice = try await keys.createKey(userID: "alice").key
        let bob = try await keys.createKey(userID: "bob").key
        try await keys.revokeKey(.key(bob))
        try await body(Fixture(keys: keys, alice: alice, bob: bob))
        try database.close()
    }

    static func request(authorization: String?) -> Request {
        var fields = HTTPFields()
        if let authorization { fields[.authorization] = authorization }
        return Request(
            head: HTTPRequest(
                method: .post, scheme: "http", authority: "localhost", path: "/v1/chat/completions",
                headerFields: fields),
            body: RequestBody(buffer: ByteBuffer()))
    }

    /// The user of a request with `authorization`, as the chat endpoints ask for it.
    static func user(_ users: UserAuthenticator, authorization: String?, claimed: String?) async throws -> String {
        try await users.identity(for: request(authorization: authorization), claimed: claimed).userID
    }

    /// The 401 message, or `nil` when `body` did not throw one.
    static func unauthorizedMessage(_ body: () async throws -> String) async -> String? {
        do {
            _ = try await body()
            return nil
        } catch let error as APIError where error.status == .unauthorized {
            #expect(error.code == "unauthorized")
            #expect(error.type == "authentication_error")
            return error.message
        } catch {
            Issue.record("unexpected error \(error)")
            return nil
        }
    }

    @Test(arguments: [false, true])
    func aValidKeyMakesTheRequestAsItsUser(required: Bool) async throws {
        try await withFixture { fixture in
            let users = UserAuthenticator(keys: fixture.keys, required: required)
            for header in ["Bearer \(fixture.alice)", "bearer \(fixture.alice)", "BEARER   \(fixture.alice)  "] {
                let unclaimed = try await Self.user(users, authorization: header, claimed: nil)
                #expect(unclaimed == "alice")
                // Naming the key's own user is fine; a user key cannot name anyone else.
                #expect(try await Self.user(users, authorization: header, claimed: "alice") == "alice")
                await #expect {
                    _ = try await Self.user(users, authorization: header, claimed: "mallory")
                } throws: { error in
                    guard let error = error as? APIError else { return false }
                    return error.status == .forbidden && error.code == "user_not_allowed"
                        && error.message.contains("service key")
                }
            }
        }
    }

    @Test(arguments: [false, true])
    func aBadSwitchyardKeyIsAlways401(required: Bool) async throws {
        try await withFixture { fixture in
            let users = UserAuthenticator(keys: fixture.keys, required: required)
            let unknown = "sy-" + String(repeating: "Z", count: 40)
            let cases = [
                (fixture.bob, "has been revoked"),
                (unknown, "is not known to this server"),
                (String(fixture.alice.dropLast()), "is malformed"),
                ("sy-", "is malformed"),
            ]
            for (key, reason) in cases {
                let message = await Self.unauthorizedMessage {
                    try await users.identity(for: Self.request(authorization: "Bearer \(key)"), claimed: "alice").userID
                }
                #expect(message?.contains(reason) == true, "\(key): \(message ?? "no error")")
                // Only the shown prefix of a key ever appears in a message.
                #expect(message?.contains(key.dropFirst(8).prefix(10)) != true || key.count <= 8, "\(message ?? "")")
                #expect(message?.contains("'\(APIKeyFormat.displayPrefix(of: key))…'") == true)
            }
        }
    }

    @Test func withoutRequiredKeysTheClaimedUserOrAnonymousIsUsed() async throws {
        try await withFixture { fixture in
            let users = UserAuthenticator(keys: fixture.keys, required: false)
            let carol = try await Self.user(users, authorization: nil, claimed: "carol")
            let unclaimed = try await Self.user(users, authorization: nil, claimed: nil)
            let empty = try await Self.user(users, authorization: nil, claimed: "")
            #expect([carol, unclaimed, empty] == ["carol", "anonymous", "anonymous"])
            // Tokens that are not Switchyard keys (an SDK's placeholder, an OpenAI key, another scheme) are ignored.
            for header in ["Bearer none", "Bearer sk-proj-abc123", "Basic YWxpY2U6c2VjcmV0", "Bearer", "Bearer  ", ""] {
                let user = try await Self.user(users, authorization: header, claimed: "carol")
                #expect(user == "carol", "\(header)")
            }
            // The claimed user is still checked.
            await #expect {
                try await users.identity(for: Self.request(authorization: nil), claimed: "a\nb")
            } throws: { error in
                (error as? APIError)?.code == "invalid_user"
            }
        }
    }

    @Test func requiredKeysRefuseRequestsWithoutOne() async throws {
        try await withFixture { fixture in
            let users = UserAuthenticator(keys: fixture.keys, required: true)
            let missing = await Self.unauthorizedMessage {
                try await users.identity(for: Self.request(authorization: nil), claimed: "carol").userID
            }
            #expect(missing?.contains("requires a Switchyard API key") == true)
            #expect(missing?.contains("switchyard keys create") == true)
            for header in ["Bearer none", "Bearer sk-proj-abc123", "Basic YWxpY2U6c2VjcmV0", "Bearer", ""] {
                let message = await Self.unauthorizedMessage {
                    try await users.identity(for: Self.request(authorization: header), claimed: "carol").userID
                }
                #expect(message?.contains("does not carry a Switchyard API key") == true, "\(header)")
            }
        }
    }

    @Test(
        arguments: [
            ("Bearer abc", "abc"), ("bearer abc", "abc"), ("  Bearer \t abc \t", "abc"), ("Bearer a b", "a b"),
            ("Bearer", nil), ("Bearer   ", nil), ("Basic abc", nil), ("Bearerabc", nil), ("", nil),
        ] as [(String, String?)])
    func bearerTokens(header: String, token: String?) {
        #expect(UserAuthenticator.bearerToken(header).map(String.init) == token)
    }
}
