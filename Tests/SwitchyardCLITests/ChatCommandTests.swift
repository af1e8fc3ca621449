import Foundation
import Testing

@Suite("switchyard chat", .timeLimit(.minutes(2)))
struct ChatCommandTests {
    /// A fresh directory with the fixture's configuration and a ledger path inside it.
    static func workspace() throws -> (config: String, database: String) {
        let directory = try LedgerFixture.temporaryDirectory("chat")
        let config = directory.appendingPathComponent("switchyard.yaml").path
        try LedgerFixture.configYAML.write(toFile: config, atomically: true, encoding: .utf8)
        return (config, directory.appendingPathComponent("ledger.sqlite").path)
    }

    @Test("answers on stdout, provider, cost and attempts on stderr, and the request is in the ledger")
    func answer() async throws {
        let (config, database) = try Self.workspace()
        let result = try await CLI.run([
            "chat", "--config", config, "--db", database, "--user", "dave", "--model", "steady/steady-mini",
            "Write a haiku about trains",
        ])
        #expect(result.status == 0, "\(result)")
        #expect(!result.stdout.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty)
        #expect(result.stdout.hasSuffix("\n"))
        let lines = result.stderr.split(separator: "\n").map(String.init)
        #expect(
            lines.first?.hasPrefix("provider: steady/steady-mini (route steady/steady-mini, tier direct") == true,
            "\(result)")
        let cost = try #require(lines.first { $0.hasPrefix("cost: $") })
        #expect(lines.contains("attempts: 1: steady/steady-mini success"))
        let requestLine = try #require(lines.first { $0.hasPrefix("request: sy_") })
        let requestID = String(requestLine.dropFirst("request: ".count).prefix { $0 != "," })

        let row = try await CLI.run([
            "query", "--db", database, "--format", "csv",
            "SELECT user_id, status, provider, cost_usd_micros AS micros FROM requests WHERE id = '\(requestID)'",
        ])
        let record = try #require(try Parse.csv(row.stdout).records.first, "\(row)")
        #expect(record["user_id"] == "dave")
        #expect(record["status"] == "success")
        #expect(record["provider"] == "steady")
        let micros = try #require(Int64(record["micros"] ?? ""))
        #expect(cost.hasPrefix("cost: $\(SwitchyardCoreMoney.decimal(micros)) "), "\(cost)")

        let verify = try await CLI.run(["budget", "verify", "--db", database])
        #expect(verify.status == 0, "\(verify)")
    }

    @Test("--stream prints the answer as it arrives and records it the same way")
    func stream() async throws {
        let (config, database) = try Self.workspace()
        let result = try await CLI.run([
            "chat", "--config", config, "--db", database, "--stream", "--priority", "quality", "--model", "default",
            "Tell me about signal boxes",
        ])
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout.count > 1)
        #expect(result.stderr.contains("attempts: "))
        let count = try await CLI.run([
            "query", "--db", database, "--format", "csv", "SELECT count(*) AS n, sum(stream) AS streamed FROM requests",
        ])
        #expect(try Parse.csv(count.stdout).records.first == ["n": "1", "streamed": "1"], "\(count)")
    }

    @Test("the prompt can come from stdin")
    func promptFromStdin() async throws {
        let (config, database) = try Self.workspace()
        let result = try await CLI.run(
            ["chat", "--config", config, "--db", database, "--model", "steady/steady-mini", "-"],
            stdin: "Summarise the rules of the road\n")
        #expect(result.status == 0, "\(result)")
        #expect(!result.stdout.isEmpty)
    }

    @Test("an exhausted budget: exit 1 with budget_exceeded and the figures on stderr")
    func budgetExceeded() async throws {
        let (config, database) = try Self.workspace()
        let set = try await CLI.run(["budget", "set", "erin", "--limit-usd", "0", "--config", config, "--db", database])
        #expect(set.status == 0, "\(set)")
        let result = try await CLI.run([
            "chat", "--config", config, "--db", database, "--user", "erin", "--model", "strong/strong-large", "Hello",
        ])
        #expect(result.status == 1, "\(result)")
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.contains("error: budget_exceeded"), "\(result)")
        #expect(result.stderr.contains("budget of user 'erin': limit $0.000000"))
        let rows = try await CLI.run([
            "query", "--db", database, "--format", "csv", "SELECT status FROM requests WHERE user_id = 'erin'",
        ])
        #expect(try Parse.csv(rows.stdout).records.map { $0["status"] } == ["rejected_budget"])
    }

    @Test("an unknown model: exit 1 with the routing error")
    func unknownModel() async throws {
        let (config, database) = try Self.workspace()
        let result = try await CLI.run(["chat", "--config", config, "--db", database, "--model", "nope", "Hello"])
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("error: unknown_model"), "\(result)")
    }
}

/// Formats micro-dollars as the CLI does, without going through `MicroDollars`, as an independent check.
enum SwitchyardCoreMoney {
    static func decimal(_ micros: Int64) -> String {
        let fraction = String(micros % 1_000_000)
        return "\(micros / 1_000_000)." + String(repeating: "0", count: 6 - fraction.count) + fraction
    }
}
