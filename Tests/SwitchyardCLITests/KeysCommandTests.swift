import Foundation
import Testing

@Suite("switchyard keys", .timeLimit(.minutes(1)))
struct KeysCommandTests {
    @Test("create prints the key once, list never shows it, revoke by prefix, unknown key exits 1")
    func lifecycle() async throws {
        let path = try LedgerFixture.temporaryDirectory("keys").appendingPathComponent("keys.sqlite").path

        let created = try await CLI.run(["keys", "create", "--user", "alice", "--name", "laptop", "--db", path])
        #expect(created.status == 0, "\(created)")
        let key = created.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(key.hasPrefix("sy-") && key.count > 20)
        #expect(created.stderr.contains("cannot be shown again"))

        let listed = try await CLI.run(["keys", "list", "--db", path, "--format", "csv"])
        #expect(listed.status == 0, "\(listed)")
        let rows = try Parse.csv(listed.stdout).records
        #expect(rows.map { $0["user"] } == ["alice"])
        #expect(rows.first?["prefix"] == String(key.prefix(8)))
        #expect(!listed.stdout.contains(key))
        let dump = try await CLI.sqlite3(path, "SELECT * FROM api_keys")
        #expect(!dump.stdout.contains(key), "the key is stored only as a hash")

        let revoked = try await CLI.run(["keys", "revoke", String(key.prefix(8)), "--db", path])
        #expect(revoked.status == 0, "\(revoked)")
        let after = try await CLI.run(["keys", "list", "--db", path, "--format", "csv"])
        #expect(try Parse.csv(after.stdout).records.first?["revoked_at"]?.isEmpty == false)

        let again = try await CLI.run(["keys", "revoke", String(key.prefix(8)), "--db", path])
        #expect(again.status == 1)
        #expect(again.stderr.contains("no working key"))
    }

    @Test("create without --user is a usage error")
    func missingUser() async throws {
        let result = try await CLI.run(["keys", "create", "--db", "/tmp/unused.sqlite"])
        #expect(result.status == 2)
    }
}
