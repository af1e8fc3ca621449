import Foundation
import SwitchyardCore
import Testing

@Suite("switchyard budget", .timeLimit(.minutes(2)))
struct BudgetCommandTests {
    @Test("list: every user, spent equal to what the router charged")
    func list() async throws {
        let fixture = try await LedgerFixture.shared.value
        let result = try await CLI.run(["budget", "list", "--db", fixture.databasePath, "--format", "json"])
        #expect(result.status == 0, "\(result)")
        let rows = try Parse.jsonArray(result.stdout)
        #expect(rows.compactMap { $0["id"] as? String } == LedgerFixture.users.sorted())
        #expect(rows.allSatisfy { $0["scope"] as? String == "user" && $0["period"] as? String == "lifetime" })
        for row in rows {
            let user = try #require(row["id"] as? String)
            #expect(row["spent_usd"] as? String == fixture.expected.costByUser[user, default: .zero].decimalString)
            #expect(row["reserved_usd"] as? String == "0.000000")
            #expect(row["limit_usd"] as? String == "1.000000")
        }

        let csv = try await CLI.run(["budget", "list", "--db", fixture.databasePath, "--format", "csv"])
        #expect(
            try Parse.csv(csv.stdout).header == [
                "scope", "id", "period", "limit_usd", "spent_usd", "reserved_usd", "remaining_usd", "resets_at",
            ])
    }

    @Test("show: one user's limits as a table, CSV rows and JSON rows")
    func show() async throws {
        let fixture = try await LedgerFixture.shared.value
        let spent = fixture.expected.costByUser["alice", default: .zero]
        let remaining = MicroDollars(1_000_000) - spent

        let table = try await CLI.run(["budget", "show", "alice", "--db", fixture.databasePath])
        #expect(table.status == 0, "\(table)")
        let lines = table.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 2)
        #expect(lines[0].hasPrefix("SCOPE") && lines[0].hasSuffix("RESETS AT"))
        #expect(lines[1].hasPrefix("user") && lines[1].contains("alice") && lines[1].contains(remaining.decimalString))

        let json = try #require(
            try Parse.jsonArray(
                try await CLI.run(["budget", "show", "alice", "--db", fixture.databasePath, "--format", "json"]).stdout
            ).first)
        #expect(json["spent_usd"] as? String == spent.decimalString)
        #expect(json["remaining_usd"] as? String == remaining.decimalString)

        let csv = try Parse.csv(
            try await CLI.run(["budget", "show", "nobody", "--db", fixture.databasePath, "--format", "csv"]).stdout)
        #expect(csv.records.first?["spent_usd"] == "0.000000", "a user without a row has the default budget")
        #expect(csv.records.first?["limit_usd"] == "1.000000")
    }

    @Test("set: parses dollars exactly, --default restores the configured limit")
    func set() async throws {
        let fixture = try await LedgerFixture.shared.value
        let path = try fixture.copy()
        let set = try await CLI.run([
            "budget", "set", "bob", "--limit-usd", "0.000001", "--db", path, "--format", "json",
        ])
        #expect(set.status == 0, "\(set)")
        #expect(try Parse.jsonArray(set.stdout).first?["limit_usd"] as? String == "0.000001")
        #expect(set.stderr.contains("$0.000001"))

        let big = try await CLI.run([
            "budget", "set", "bob", "--limit-usd", "12345.67", "--db", path, "--format", "csv",
        ])
        #expect(try Parse.csv(big.stdout).records.first?["limit_usd"] == "12345.670000")

        let reset = try await CLI.run(["budget", "set", "bob", "--default", "--db", path, "--format", "json"])
        #expect(reset.status == 0, "\(reset)")
        #expect(try Parse.jsonArray(reset.stdout).first?["limit_usd"] as? String == "1.000000")

        let verify = try await CLI.run(["budget", "verify", "--db", path])
        #expect(verify.status == 0, "setting limits keeps the budgets consistent: \(verify)")
    }

    @Test(
        "set: amounts that are not exact dollars are usage errors",
        arguments: [["--limit-usd", "1.0000001"], ["--limit-usd", "abc"], ["--limit-usd", "-1"], []])
    func setRejectsBadAmounts(arguments: [String]) async throws {
        let fixture = try await LedgerFixture.shared.value
        let path = try fixture.copy()
        let result = try await CLI.run(["budget", "set", "bob", "--db", path] + arguments)
        #expect(result.status == 2, "\(result)")
        #expect(result.stdout.isEmpty)
    }

    @Test("verify: a consistent ledger passes")
    func verifyPasses() async throws {
        let fixture = try await LedgerFixture.shared.value
        let result = try await CLI.run(["budget", "verify", "--db", fixture.databasePath])
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout.isEmpty)
        #expect(result.stderr == "ok: all \(LedgerFixture.users.count) budgets match the ledger\n")
    }

    @Test("verify: a budgets row changed behind the ledger's back is caught and named")
    func verifyCatchesCorruption() async throws {
        let fixture = try await LedgerFixture.shared.value
        let path = try fixture.copy()
        let corrupt = try await CLI.sqlite3(
            path, "UPDATE budgets SET spent_usd_micros = spent_usd_micros + 1 WHERE user_id = 'bob';")
        #expect(corrupt.status == 0, "\(corrupt)")

        let table = try await CLI.run(["budget", "verify", "--db", path])
        #expect(table.status == 1, "\(table)")
        #expect(table.stderr == "error: 1 budget differs from the ledger: user bob\n")
        let lines = table.stdout.split(separator: "\n")
        #expect(lines.count == 2)
        let bobSpent = fixture.expected.costByUser["bob", default: .zero]
        #expect(lines.last?.contains((bobSpent + 1).decimalString) == true)
        #expect(lines.last?.contains(bobSpent.decimalString) == true)
        #expect(!table.stdout.contains("alice"))

        let json = try await CLI.run(["budget", "verify", "--db", path, "--format", "json"])
        #expect(json.status == 1)
        let object = try Parse.jsonObject(json.stdout)
        #expect(object["ok"] as? Bool == false)
        let discrepancies = try #require(object["discrepancies"] as? [[String: Any]])
        #expect(discrepancies.map { $0["id"] as? String } == ["bob"])
        #expect(discrepancies.first?["ledger_spent_usd"] as? String == bobSpent.decimalString)

        let csv = try await CLI.run(["budget", "verify", "--db", path, "--format", "csv"])
        #expect(csv.status == 1)
        #expect(try Parse.csv(csv.stdout).records.map { $0["id"] } == ["bob"])
    }
}
