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

@Suite("switchyard budget: keys, teams and periods", .timeLimit(.minutes(2)))
struct BudgetScopeCommandTests {
    @Test("set, show and list a team's and a key's limits; keys create --service --team; alerts")
    func teamAndKeyLimits() async throws {
        let fixture = try await LedgerFixture.shared.value
        let path = try fixture.copy()
        let created = try await CLI.run([
            "keys", "create", "--user", "shop", "--service", "--team", "research", "--db", path,
        ])
        #expect(created.status == 0, "\(created)")
        let list = try Parse.jsonArray(try await CLI.run(["keys", "list", "--db", path, "--format", "json"]).stdout)
        let key = try #require(list.last)
        #expect(key["kind"] as? String == "service" && key["team"] as? String == "research")
        let prefix = try #require(key["prefix"] as? String)

        let team = try await CLI.run([
            "budget", "set", "--team", "research", "--period", "monthly", "--limit-usd", "100", "--db", path,
            "--format", "csv",
        ])
        #expect(team.status == 0, "\(team)")
        let rows = try Parse.csv(team.stdout).records
        #expect(rows.map { $0["period"] } == ["lifetime", "monthly"])
        #expect(rows.first?["limit_usd"] == "", "no lifetime limit: \(rows)")
        #expect(rows.last?["limit_usd"] == "100.000000")
        #expect(rows.last?["resets_at"]?.hasSuffix("-01T00:00:00Z") == true)
        #expect(team.stderr.contains("the monthly limit of team 'research' is now $100.000000"))

        let byPrefix = try await CLI.run(["budget", "set", "--key", prefix, "--limit-usd", "5", "--db", path])
        #expect(byPrefix.status == 0, "\(byPrefix)")
        let shown = try Parse.jsonArray(
            try await CLI.run(["budget", "show", "--key", prefix, "--db", path, "--format", "json"]).stdout)
        #expect(shown.map { $0["limit_usd"] as? String } == ["5.000000"])
        #expect(shown.first?["scope"] as? String == "key")

        let teams = try Parse.jsonArray(
            try await CLI.run(["budget", "list", "--scope", "team", "--db", path, "--format", "json"]).stdout)
        #expect(Set(teams.compactMap { $0["id"] as? String }) == ["research"])

        let unknown = try await CLI.run(["budget", "show", "--key", "sy-nope", "--db", path])
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("no API key with id or prefix 'sy-nope'"))
        let both = try await CLI.run(["budget", "show", "alice", "--team", "research", "--db", path])
        #expect(both.status == 2, "\(both)")

        let alerts = try await CLI.run(["budget", "alerts", "--db", path, "--format", "json"])
        #expect(alerts.status == 0, "\(alerts)")
        #expect(try Parse.jsonArray(alerts.stdout).isEmpty)
        #expect(try await CLI.run(["budget", "verify", "--db", path]).status == 0)
    }
}
