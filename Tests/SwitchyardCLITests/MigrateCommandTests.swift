import Foundation
import SwitchyardStore
import Testing

@Suite("switchyard migrate", .timeLimit(.minutes(1)))
struct MigrateCommandTests {
    @Test("--status before and after migrating a new file")
    func statusAndApply() async throws {
        let path = try LedgerFixture.temporaryDirectory("migrate").appendingPathComponent("new.sqlite").path
        let identifiers = LedgerMigrations.identifiers
        #expect(!identifiers.isEmpty)

        let before = try await CLI.run(["migrate", "--status", "--db", path, "--format", "csv"])
        #expect(before.status == 0, "\(before)")
        #expect(try Parse.csv(before.stdout).records.map { $0["status"] } == identifiers.map { _ in "pending" })
        #expect(!FileManager.default.fileExists(atPath: path), "--status changes nothing")

        let apply = try await CLI.run(["migrate", "--db", path])
        #expect(apply.status == 0, "\(apply)")
        #expect(apply.stderr == "\(path): applied \(identifiers.joined(separator: ", "))\n")

        let after = try await CLI.run(["migrate", "--status", "--db", path])
        #expect(after.status == 0, "\(after)")
        let lines = after.stdout.split(separator: "\n")
        #expect(lines.first?.hasPrefix("MIGRATION") == true)
        #expect(lines.dropFirst().allSatisfy { $0.hasSuffix("applied") })
        #expect(after.stderr.contains("up to date"))

        let json = try await CLI.run(["migrate", "--status", "--db", path, "--format", "json"])
        #expect(try Parse.jsonArray(json.stdout).map { $0["migration"] as? String } == identifiers)

        let again = try await CLI.run(["migrate", "--db", path])
        #expect(again.status == 0)
        #expect(again.stderr.contains("up to date, nothing to apply"))
    }

    @Test("a directory that does not exist: exit 1 with the reason")
    func unwritable() async throws {
        let result = try await CLI.run(["migrate", "--db", "/nonexistent-dir/switchyard.sqlite"])
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("error: cannot open the ledger database"), "\(result)")
    }
}
