import Foundation
import SwitchyardCore
import Testing

@Suite("switchyard query", .timeLimit(.minutes(2)))
struct QueryCommandTests {
    static let perUser = "SELECT user_id, count(*) AS requests FROM requests GROUP BY user_id ORDER BY user_id"

    @Test("table, JSON and CSV of one SELECT")
    func formats() async throws {
        let fixture = try await LedgerFixture.shared.value
        let table = try await CLI.run(["query", "--db", fixture.databasePath, Self.perUser])
        #expect(table.status == 0, "\(table)")
        let lines = table.stdout.split(separator: "\n")
        #expect(lines.first?.hasPrefix("user_id") == true)
        #expect(lines.count == 1 + LedgerFixture.users.count)

        let json = try await CLI.run(["query", "--db", fixture.databasePath, "--format", "json", Self.perUser])
        #expect(json.status == 0, "\(json)")
        let object = try Parse.jsonObject(json.stdout)
        #expect(object["columns"] as? [String] == ["user_id", "requests"])
        #expect(object["truncated"] as? Bool == false)
        let rows = try #require(object["rows"] as? [[Any]])
        #expect(rows.map { $0[0] as? String } == LedgerFixture.users.sorted())
        #expect(rows.reduce(0) { $0 + (($1[1] as? NSNumber)?.intValue ?? 0) } == 24)

        let csv = try await CLI.run(["query", "--db", fixture.databasePath, "--format", "csv", Self.perUser])
        #expect(csv.status == 0, "\(csv)")
        let parsed = try Parse.csv(csv.stdout)
        #expect(parsed.header == ["user_id", "requests"])
        #expect(parsed.records.map { $0["user_id"] } == LedgerFixture.users.sorted())
    }

    @Test("ledger sums agree with the cost report")
    func sumsAgree() async throws {
        let fixture = try await LedgerFixture.shared.value
        let result = try await CLI.run([
            "query", "--db", fixture.databasePath, "--format", "csv",
            "SELECT sum(cost_usd_micros) AS micros FROM attempts WHERE outcome <> 'started'",
        ])
        #expect(result.status == 0, "\(result)")
        #expect(try Parse.csv(result.stdout).records.first?["micros"] == String(fixture.expected.totalCost.rawValue))
    }

    @Test("--limit truncates and says so on stderr")
    func limit() async throws {
        let fixture = try await LedgerFixture.shared.value
        let result = try await CLI.run([
            "query", "--db", fixture.databasePath, "--limit", "2", "--format", "json", "SELECT id FROM requests",
        ])
        #expect(result.status == 0, "\(result)")
        let object = try Parse.jsonObject(result.stdout)
        #expect((object["rows"] as? [Any])?.count == 2)
        #expect(object["truncated"] as? Bool == true)
        #expect(result.stderr.contains("--limit"))
    }

    @Test(
        "writes are refused with exit 1 and change nothing",
        arguments: [
            "INSERT INTO budgets (user_id, updated_at) VALUES ('mallory', '2026-01-01')",
            "UPDATE budgets SET spent_usd_micros = 0",
            "DELETE FROM ledger",
            "DROP TABLE requests",
            "ATTACH DATABASE '/tmp/switchyard-attack.sqlite' AS other",
            "SELECT 1; DELETE FROM ledger",
            "PRAGMA journal_mode = DELETE",
            "VACUUM",
        ])
    func writesRefused(sql: String) async throws {
        let fixture = try await LedgerFixture.shared.value
        let path = try fixture.copy()
        let before = try await CLI.sqlite3(path, ".dump")
        let result = try await CLI.run(["query", "--db", path, sql])
        #expect(result.status == 1, "\(result)")
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.hasPrefix("error: sql_"), "\(result)")
        #expect(result.stderr.split(separator: "\n").count == 1, "one clear line: \(result.stderr)")
        let after = try await CLI.sqlite3(path, ".dump")
        #expect(before.status == 0 && !before.stdout.isEmpty)
        #expect(after.stdout == before.stdout, "the database is unchanged")
    }

    @Test("a statement that does not compile fails with exit 1")
    func invalidSQL() async throws {
        let fixture = try await LedgerFixture.shared.value
        let result = try await CLI.run(["query", "--db", fixture.databasePath, "SELEC nonsense"])
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("error: sql_invalid"), "\(result)")
    }

    @Test("- reads the statement from stdin")
    func statementFromStdin() async throws {
        let fixture = try await LedgerFixture.shared.value
        let result = try await CLI.run(
            ["query", "--db", fixture.databasePath, "--format", "csv", "-"], stdin: "SELECT 40 + 2 AS answer;\n")
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout == "answer\n42\n")
    }
}
