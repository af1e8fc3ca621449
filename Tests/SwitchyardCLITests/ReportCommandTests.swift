import Foundation
import SwitchyardCore
import Testing

@Suite("switchyard report", .timeLimit(.minutes(2)))
struct ReportCommandTests {
    @Test("costs by user: JSON matches what the router charged, to the micro-dollar")
    func costsByUserJSON() async throws {
        let fixture = try await LedgerFixture.shared.value
        let result = try await CLI.run(["report", "costs", "--db", fixture.databasePath, "--format", "json"])
        #expect(result.status == 0, "\(result)")
        let json = try Parse.jsonObject(result.stdout)
        #expect(json["group_by"] as? [String] == ["user"])
        #expect(json["since"] is NSNull)
        let rows = try #require(json["rows"] as? [[String: Any]])
        #expect(rows.compactMap { $0["user"] as? String } == LedgerFixture.users.sorted())
        for row in rows {
            let user = try #require(row["user"] as? String)
            #expect(row["cost_usd"] as? String == fixture.expected.costByUser[user, default: .zero].decimalString)
            #expect((row["requests"] as? NSNumber)?.intValue == fixture.expected.requestsByUser[user])
        }
        let total = try #require(json["total"] as? [String: Any])
        #expect(total["cost_usd"] as? String == fixture.expected.totalCost.decimalString)
        #expect((total["attempts"] as? NSNumber)?.intValue == fixture.expected.totalAttempts)
        #expect(total["user"] == nil)
        #expect(fixture.expected.totalCost > .zero)
    }

    @Test("costs by provider: CSV has snake_case headers, exact money and no total row")
    func costsByProviderCSV() async throws {
        let fixture = try await LedgerFixture.shared.value
        let result = try await CLI.run([
            "report", "costs", "--db", fixture.databasePath, "--by", "provider", "--format", "csv",
        ])
        #expect(result.status == 0, "\(result)")
        let csv = try Parse.csv(result.stdout)
        #expect(csv.header == ["provider", "requests", "attempts", "prompt_tokens", "completion_tokens", "cost_usd"])
        #expect(Set(csv.records.compactMap { $0["provider"] }) == Set(fixture.expected.costByProvider.keys))
        for record in csv.records {
            let provider = try #require(record["provider"])
            #expect(record["cost_usd"] == fixture.expected.costByProvider[provider]?.decimalString)
            #expect(record["attempts"] == fixture.expected.attemptsByProvider[provider].map(String.init))
            // Exact six-decimal dollars, as MicroDollars parses back without loss.
            #expect(try MicroDollars(parsing: record["cost_usd"] ?? "x") == fixture.expected.costByProvider[provider])
        }
    }

    @Test("costs table: aligned columns, a rule and a TOTAL row")
    func costsTable() async throws {
        let fixture = try await LedgerFixture.shared.value
        let result = try await CLI.run(["report", "costs", "--db", fixture.databasePath])
        #expect(result.status == 0, "\(result)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("USER") == true)
        #expect(lines.first?.hasSuffix("COST (USD)") == true)
        #expect(lines.count == 1 + LedgerFixture.users.count + 2)
        // The last column is right-aligned, so every line ends at the same place.
        #expect(Set(lines.map(\.count)).count == 1, "\(lines)")
        let total = try #require(lines.last)
        #expect(total.hasPrefix("TOTAL"))
        #expect(total.hasSuffix(fixture.expected.totalCost.decimalString))
        #expect(lines[lines.count - 2].allSatisfy { $0 == "-" || $0 == " " })
        #expect(!result.stderr.contains("\u{1B}"), "no progress output when stderr is piped")
    }

    @Test("costs grouped by model and day; the day rows add up to the total")
    func costsByModelAndDay() async throws {
        let fixture = try await LedgerFixture.shared.value
        let result = try await CLI.run([
            "report", "costs", "--db", fixture.databasePath, "--by", "model", "--by", "day", "--format", "json",
        ])
        #expect(result.status == 0, "\(result)")
        let json = try Parse.jsonObject(result.stdout)
        #expect(json["group_by"] as? [String] == ["model", "day"])
        let rows = try #require(json["rows"] as? [[String: Any]])
        #expect(Set(rows.compactMap { $0["model"] as? String }).isSuperset(of: ["flaky-small", "steady-mini"]))
        var sum = MicroDollars.zero
        for row in rows {
            let day = try #require(row["day"] as? String)
            #expect(day.count == 10 && day.hasPrefix("20"))
            sum += try MicroDollars(parsing: try #require(row["cost_usd"] as? String))
        }
        #expect(sum == fixture.expected.totalCost)
    }

    @Test("a range with no calls gives no rows and a zero total")
    func emptyRange() async throws {
        let fixture = try await LedgerFixture.shared.value
        let result = try await CLI.run([
            "report", "costs", "--db", fixture.databasePath, "--since", "2001-01-01", "--until", "2001-01-02",
            "--format", "json",
        ])
        #expect(result.status == 0, "\(result)")
        let json = try Parse.jsonObject(result.stdout)
        #expect((json["rows"] as? [Any])?.isEmpty == true)
        #expect((json["total"] as? [String: Any])?["cost_usd"] as? String == "0.000000")
        #expect(json["since"] as? String == "2001-01-01")
        let table = try await CLI.run(["report", "costs", "--db", fixture.databasePath, "--until", "2001-01-02"])
        #expect(table.stdout.contains("(no rows)"))
    }

    @Test("reliability by provider: JSON counts equal the calls the router made")
    func reliabilityJSON() async throws {
        let fixture = try await LedgerFixture.shared.value
        let result = try await CLI.run(["report", "reliability", "--db", fixture.databasePath, "--format", "json"])
        #expect(result.status == 0, "\(result)")
        let json = try Parse.jsonObject(result.stdout)
        #expect(json["group_by"] as? String == "provider")
        let requests = try #require(json["requests"] as? [String: Any])
        #expect((requests["total"] as? NSNumber)?.intValue == fixture.expected.requests)
        let rows = try #require(json["rows"] as? [[String: Any]])
        for row in rows {
            let provider = try #require(row["provider"] as? String)
            let attempts = (row["attempts"] as? NSNumber)?.intValue
            #expect(attempts == fixture.expected.attemptsByProvider[provider, default: 0], "\(provider)")
            #expect(
                (row["successes"] as? NSNumber)?.intValue == fixture.expected.successesByProvider[provider, default: 0])
            if let rate = row["success_rate"] as? Double, let attempts, attempts > 0 {
                #expect(
                    abs(rate - Double(fixture.expected.successesByProvider[provider, default: 0]) / Double(attempts))
                        < 1e-9)
            }
        }
        let flaky = try #require(rows.first { $0["provider"] as? String == "flaky" })
        #expect(((flaky["failovers"] as? NSNumber)?.intValue ?? 0) > 0, "the flaky provider failed over")
    }

    @Test("reliability by model: CSV columns, and the table starts with the request summary")
    func reliabilityByModel() async throws {
        let fixture = try await LedgerFixture.shared.value
        let csvResult = try await CLI.run([
            "report", "reliability", "--db", fixture.databasePath, "--by", "model", "--format", "csv",
        ])
        #expect(csvResult.status == 0, "\(csvResult)")
        let csv = try Parse.csv(csvResult.stdout)
        #expect(
            csv.header == [
                "provider", "model", "requests", "attempts", "successes", "success_rate", "failovers", "escalations",
                "breaker_trips", "p50_latency_ms", "p95_latency_ms",
            ])
        #expect(csv.records.contains { $0["provider"] == "steady" && $0["model"] == "steady-mini" })

        let table = try await CLI.run(["report", "reliability", "--db", fixture.databasePath, "--by", "model"])
        #expect(table.status == 0, "\(table)")
        let lines = table.stdout.split(separator: "\n")
        #expect(lines.first?.hasPrefix("requests: \(fixture.expected.requests) finished") == true, "\(table)")
        #expect(lines.dropFirst().first?.hasPrefix("PROVIDER  ") == true)
        #expect(table.stdout.contains("%"))
    }

    @Test("JSON is the report's own encoding, as GET /reports/... answers, with the range as typed")
    func jsonIsTheSharedEncoding() async throws {
        let fixture = try await LedgerFixture.shared.value
        let costs = try await CLI.run([
            "report", "costs", "--db", fixture.databasePath, "--since", "2001-01-01T00:00:00Z", "--format", "json",
        ])
        #expect(costs.status == 0, "\(costs)")
        let json = try Parse.jsonObject(costs.stdout)
        #expect(json["since"] as? String == "2001-01-01T00:00:00Z")
        #expect(json["until"] is NSNull)
        let total = try #require(json["total"] as? [String: Any])
        #expect((total["cost_usd_micros"] as? NSNumber)?.int64Value == fixture.expected.totalCost.rawValue)
        #expect(costs.stdout.hasPrefix("{\n  \"group_by\": [\n    \"user\"\n  ],\n"), "\(costs.stdout)")

        let reliability = try await CLI.run([
            "report", "reliability", "--db", fixture.databasePath, "--by", "model", "--format", "json",
        ])
        let object = try Parse.jsonObject(reliability.stdout)
        #expect(object["group_by"] as? String == "model")
        #expect(object["entries"] == nil)
        #expect((object["rows"] as? [[String: Any]])?.allSatisfy { $0["model"] is String } == true)
    }

    @Test("report on a database that does not exist fails without creating it")
    func missingDatabase() async throws {
        let path = try LedgerFixture.temporaryDirectory("missing").appendingPathComponent("nope.sqlite").path
        let result = try await CLI.run(["report", "costs", "--db", path])
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("error: no ledger database at '\(path)'"), "\(result)")
        #expect(!FileManager.default.fileExists(atPath: path))
    }
}

@Suite("switchyard report requests, request and breakers", .timeLimit(.minutes(2)))
struct ReportTrailCommandTests {
    @Test("requests: newest first with their calls, and one request's trail by id")
    func requestsAndTrail() async throws {
        let fixture = try await LedgerFixture.shared.value
        let listed = try await CLI.run(["report", "requests", "--db", fixture.databasePath, "--format", "json"])
        #expect(listed.status == 0, "\(listed)")
        let requests = try #require(try Parse.jsonObject(listed.stdout)["requests"] as? [[String: Any]])
        #expect(requests.count == min(fixture.expected.requests, 50))
        let times = requests.compactMap { $0["created_at"] as? String }
        #expect(times == times.sorted().reversed())
        let id = try #require(requests.first?["id"] as? String)

        let table = try await CLI.run(["report", "requests", "--db", fixture.databasePath, "--limit", "2"])
        #expect(table.status == 0, "\(table)")
        let lines = table.stdout.split(separator: "\n")
        #expect(lines.count == 3 && lines[0].hasPrefix("TIME") && lines[0].hasSuffix("CALLS"), "\(lines)")
        #expect(lines[1].contains(id))

        let trail = try await CLI.run(["report", "request", id, "--db", fixture.databasePath, "--format", "json"])
        #expect(trail.status == 0, "\(trail)")
        let json = try Parse.jsonObject(trail.stdout)
        #expect((json["request"] as? [String: Any])?["id"] as? String == id)
        #expect((json["money"] as? [Any])?.isEmpty == false)

        let unknown = try await CLI.run(["report", "request", "sy_nope", "--db", fixture.databasePath])
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("the ledger has no request 'sy_nope'"))
        let bad = try await CLI.run(["report", "requests", "--limit", "0", "--db", fixture.databasePath])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("--limit must be from 1 to 500"))
    }

    @Test("breakers: a start row per provider with a transition, then its transitions")
    func breakers() async throws {
        let fixture = try await LedgerFixture.shared.value
        let result = try await CLI.run(["report", "breakers", "--db", fixture.databasePath, "--format", "csv"])
        #expect(result.status == 0, "\(result)")
        let csv = try Parse.csv(result.stdout)
        #expect(csv.header == ["provider", "at", "from", "to", "reason"])
    }
}

@Suite("switchyard budget list --nearest", .timeLimit(.minutes(2)))
struct BudgetNearestCommandTests {
    @Test("the limits most used, most used first")
    func nearest() async throws {
        let fixture = try await LedgerFixture.shared.value
        let one = try await CLI.run(["budget", "list", "--db", fixture.databasePath, "--nearest", "1", "--format", "csv"])
        #expect(one.status == 0, "\(one)")
        #expect(try Parse.csv(one.stdout).records.count == 1)
        let bad = try await CLI.run(["budget", "list", "--db", fixture.databasePath, "--nearest", "0"])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("--nearest must be 1 or more"))
    }
}
