import Foundation
import SwitchyardCore
import SwitchyardServer
import SwitchyardTesting
import Testing

@Suite("switchyard prices, and report costs --reprice", .timeLimit(.minutes(2)))
struct PricesCommandTests {
    /// A directory with LiteLLM's sample table as `prices.json`.
    static func directory() throws -> (URL, String) {
        let directory = try LedgerFixture.temporaryDirectory("prices")
        let file = directory.appendingPathComponent("prices.json").path
        try LiteLLMSample.json.write(toFile: file, atomically: true, encoding: .utf8)
        return (directory, file)
    }

    /// The prices of the printed `models:` as the configuration reads them, under one simulated provider.
    static func prices(fromImported yaml: String) throws -> [String: ModelPricing] {
        let body = yaml.split(separator: "\n").filter { !$0.hasPrefix("#") }.map { "    " + $0 }.joined(separator: "\n")
        let config = try SwitchyardConfig(yaml: "providers:\n  - name: p\n    kind: simulated\n" + body)
        return config.priceTable.entries["p"] ?? [:]
    }

    @Test("import --model prints models: whose prices read back as the file's")
    func importNamedModels() async throws {
        let (_, file) = try Self.directory()
        let names = ["gpt-4o", "o3-mini", "claude-sonnet-4-5", "gemini/gemini-2.5-pro"]
        let result = try await CLI.run(["prices", "import", file] + names.flatMap { ["--model", $0] })
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout.hasPrefix("# Prices from \(file)"), "\(result)")
        #expect(result.stdout.contains("cache_write_1h_usd_per_mtok: 6.00"), "\(result)")
        #expect(!result.stdout.contains("null") && !result.stdout.contains("max_output_tokens"), "\(result)")
        let prices = try Self.prices(fromImported: result.stdout)
        #expect(Set(prices.keys) == Set(names))
        for (name, pricing) in prices { #expect(pricing == LiteLLMSample.expected[name], "\(name)") }

        let missing = try await CLI.run(["prices", "import", file, "--model", "gpt-4o", "--model", "gpt-9"])
        #expect(missing.status == 1 && missing.stderr.contains("no price for 'gpt-9'"), "\(missing)")
        let unreadable = try await CLI.run(["prices", "import", file + ".missing", "--model", "gpt-4o"])
        #expect(unreadable.status == 1 && unreadable.stderr.contains("cannot read the file"), "\(unreadable)")
    }

    @Test("import --config prints the configuration's models, keeps their limits, and names those it lacks")
    func importForTheConfiguration() async throws {
        let (directory, file) = try Self.directory()
        let config = directory.appendingPathComponent("switchyard.yaml").path
        try """
        providers:
          - {name: oai, kind: openai, models: [{name: gpt-4o, max_output_tokens: 4096}, llama3]}
          - {name: gem, kind: gemini, models: [gemini-2.5-pro]}
        """.write(toFile: config, atomically: true, encoding: .utf8)
        let output = directory.appendingPathComponent("prices.yaml").path
        let result = try await CLI.run(["prices", "import", file, "--config", config, "--output", output])
        #expect(result.status == 0, "\(result)")
        #expect(result.stderr.contains("not in \(file): oai/llama3 (looked up 'openai/llama3' and 'llama3')"))
        #expect(result.stderr.contains("wrote the prices of 2 models to \(output)"), "\(result)")
        let written = try String(contentsOfFile: output, encoding: .utf8)
        #expect(written.contains("- name: oai") && written.contains("- name: gem"), "\(written)")
        #expect(written.contains("max_output_tokens: 4096"), "\(written)")
        let again = try await CLI.run(["prices", "import", file, "--config", config, "--output", output])
        #expect(again.status == 1 && again.stderr.contains("pass --force"), "\(again)")
    }

    @Test("list shows the prices in effect: from prices_file, with the kinds' defaults")
    func listThePricesInEffect() async throws {
        let (directory, file) = try Self.directory()
        let config = directory.appendingPathComponent("switchyard.yaml").path
        try """
        prices_file: \(file)
        providers:
          - {name: claude, kind: anthropic, models: [claude-sonnet-4-5]}
          - {name: oai, kind: openai, models: [gpt-4o]}
        """.write(toFile: config, atomically: true, encoding: .utf8)
        let result = try await CLI.run(["prices", "list", "--config", config, "--format", "json"])
        #expect(result.status == 0, "\(result)")
        let rows = try Parse.jsonArray(result.stdout)
        #expect(rows.map { $0["tier"] as? String } == ["base", "above 200000 prompt tokens", "base"])
        #expect(rows[0]["cached_input_usd_per_mtok"] as? String == "0.300000")
        #expect(rows[1]["cache_write_1h_usd_per_mtok"] as? String == "12.000000", "Anthropic's 2 × the tier's input")
        #expect(rows[2]["cache_write_usd_per_mtok"] as? String == "2.500000", "OpenAI: the input price")
        #expect(rows[2]["reasoning_usd_per_mtok"] as? String == "10.000000")
    }

    @Test("report costs --reprice: unchanged prices re-price to the billed cost; changed ones do not")
    func repricedCosts() async throws {
        let fixture = try await LedgerFixture.shared.value
        let same = try await CLI.run([
            "report", "costs", "--db", fixture.databasePath, "--config", fixture.configPath, "--by", "provider",
            "--reprice", "--format", "json",
        ])
        #expect(same.status == 0, "\(same)")
        let json = try Parse.jsonObject(same.stdout)
        #expect(json["repriced"] as? Bool == true)
        let total = try #require(json["total"] as? [String: Any])
        #expect(total["repriced_cost_usd"] as? String == total["cost_usd"] as? String, "\(total)")
        #expect((total["unpriced_attempts"] as? NSNumber)?.intValue == 0)

        // The same ledger against a configuration where steady-mini costs twice as much.
        let doubled = try LedgerFixture.temporaryDirectory("reprice").appendingPathComponent("doubled.yaml").path
        try LedgerFixture.configYAML
            .replacingOccurrences(of: "input_usd_per_mtok: 0.15", with: "input_usd_per_mtok: 0.30")
            .replacingOccurrences(of: "output_usd_per_mtok: 0.60", with: "output_usd_per_mtok: 1.20")
            .write(toFile: doubled, atomically: true, encoding: .utf8)
        let table = try await CLI.run([
            "report", "costs", "--db", fixture.databasePath, "--config", doubled, "--by", "provider", "--reprice",
        ])
        #expect(table.status == 0, "\(table)")
        #expect(table.stdout.contains("REPRICED (USD)") && table.stdout.contains("UNPRICED"), "\(table)")
        let byProvider = try await CLI.run([
            "report", "costs", "--db", fixture.databasePath, "--config", doubled, "--by", "provider", "--reprice",
            "--format", "json",
        ])
        let rows = try #require(try Parse.jsonObject(byProvider.stdout)["rows"] as? [[String: Any]])
        let steady = try #require(rows.first { $0["provider"] as? String == "steady" })
        let billed = try #require((steady["cost_usd_micros"] as? NSNumber)?.int64Value)
        let repriced = try #require((steady["repriced_cost_usd_micros"] as? NSNumber)?.int64Value)
        // Twice the price, each call rounded up on its own: between 2 × billed − calls and 2 × billed.
        let attempts = try #require((steady["attempts"] as? NSNumber)?.int64Value)
        #expect(billed > 0 && repriced <= 2 * billed && repriced >= 2 * billed - attempts, "\(steady)")
    }
}
