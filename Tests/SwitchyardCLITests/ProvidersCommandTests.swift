import Foundation
import SwitchyardCore
import SwitchyardStore
import Testing

@Suite("switchyard providers", .timeLimit(.minutes(2)))
struct ProvidersCommandTests {
    @Test("JSON: each configured provider with the breaker state the ledger recorded and its call figures")
    func json() async throws {
        let fixture = try await LedgerFixture.shared.value
        let result = try await CLI.run([
            "providers", "--config", fixture.configPath, "--db", fixture.databasePath, "--format", "json",
        ])
        #expect(result.status == 0, "\(result)")
        let rows = try Parse.jsonArray(result.stdout)
        #expect(rows.compactMap { $0["provider"] as? String } == ["flaky", "steady", "strong"])
        let database = try LedgerDatabase(path: fixture.databasePath, migrate: false)
        let transitions = Dictionary(
            uniqueKeysWithValues: try database.lastBreakerTransitions().map { ($0.provider, $0) })
        try database.close()
        #expect(transitions["flaky"] != nil, "the flaky provider's breaker tripped while the fixture routed")
        for row in rows {
            let name = try #require(row["provider"] as? String)
            #expect(row["kind"] as? String == "simulated")
            #expect(row["breaker"] as? String == transitions[name]?.to.rawValue ?? "closed")
            #expect((row["attempts"] as? NSNumber)?.intValue == fixture.expected.attemptsByProvider[name, default: 0])
            #expect((row["models"] as? [String])?.count == 1)
        }
        let flaky = try #require(rows.first)
        #expect(flaky["breaker_since"] is String)
    }

    @Test("table and CSV")
    func tableAndCSV() async throws {
        let fixture = try await LedgerFixture.shared.value
        let table = try await CLI.run(["providers", "--config", fixture.configPath, "--db", fixture.databasePath])
        #expect(table.status == 0, "\(table)")
        let lines = table.stdout.split(separator: "\n")
        #expect(lines.first?.hasPrefix("PROVIDER") == true)
        #expect(lines.dropFirst().map { $0.split(separator: " ").first } == ["flaky", "steady", "strong"])

        let csv = try await CLI.run([
            "providers", "--config", fixture.configPath, "--db", fixture.databasePath, "--format", "csv",
        ])
        let parsed = try Parse.csv(csv.stdout)
        #expect(
            parsed.header == [
                "provider", "kind", "models", "breaker", "breaker_since", "open_until", "attempts", "success_rate",
                "p50_latency_ms", "p95_latency_ms",
            ])
        #expect(parsed.records.first { $0["provider"] == "steady" }?["models"] == "steady-mini")
    }

    @Test("without a ledger yet: the configured providers, closed, with a note")
    func noLedger() async throws {
        let path = try LedgerFixture.temporaryDirectory("providers").appendingPathComponent("none.sqlite").path
        let result = try await CLI.run(["providers", "--db", path, "--format", "csv"])
        #expect(result.status == 0, "\(result)")
        let parsed = try Parse.csv(result.stdout)
        #expect(parsed.records.map { $0["provider"] } == ["local", "cheap-cloud", "strong-cloud", "emergency"])
        #expect(parsed.records.allSatisfy { $0["breaker"] == "closed" && $0["attempts"] == "0" })
        #expect(result.stderr.contains("no ledger database"))
        #expect(!FileManager.default.fileExists(atPath: path))
    }
}
