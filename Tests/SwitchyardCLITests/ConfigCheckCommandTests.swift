import Foundation
import SwitchyardServer
import Testing

@Suite("switchyard config check", .timeLimit(.minutes(1)))
struct ConfigCheckCommandTests {
    @Test("a valid file: the effective configuration on stdout reads back to the same configuration")
    func valid() async throws {
        let fixture = try await LedgerFixture.shared.value
        let result = try await CLI.run(["config", "check", "--config", fixture.configPath])
        #expect(result.status == 0, "\(result)")
        #expect(try SwitchyardConfig(yaml: result.stdout) == SwitchyardConfig.load(path: fixture.configPath))
        #expect(result.stdout.contains("busy_timeout_ms: 5000"), "defaults are written out")
        #expect(result.stderr == "ok: \(fixture.configPath) is valid\n")
    }

    @Test("config keys prints the reference made from the declarations, every kind's keys included")
    func keys() async throws {
        let result = try await CLI.run(["config", "keys"])
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout == SwitchyardConfig.referenceMarkdown())
        #expect(result.stdout.contains("| `providers[].default_max_tokens` | `4096` |"), "\(result.stdout)")
    }

    @Test("no file: the built-in demo, and SWITCHYARD_DB shows in database.path")
    func demo() async throws {
        let result = try await CLI.run(["config", "check"], environment: ["SWITCHYARD_DB": "/data/x.sqlite"])
        #expect(result.status == 0, "\(result)")
        var expected = SwitchyardConfig.demo
        expected.database.path = "/data/x.sqlite"
        #expect(try SwitchyardConfig(yaml: result.stdout) == expected)
        #expect(result.stderr.contains("built-in demo"))
    }

    @Test("secrets are masked and unset key variables are warned about")
    func secrets() async throws {
        let directory = try LedgerFixture.temporaryDirectory("config")
        let path = directory.appendingPathComponent("keys.yaml").path
        try """
        providers:
          - name: openai
            kind: openai
            api_key_env: SWITCHYARD_TEST_UNSET_KEY
            base_url: "https://user:hunter2@example.invalid/v1?key=sk-secret-value"
            models: [gpt-4o-mini]
        """.write(toFile: path, atomically: true, encoding: .utf8)
        let result = try await CLI.run(["config", "check", "--config", path])
        #expect(result.status == 0, "\(result)")
        #expect(!result.stdout.contains("hunter2") && !result.stdout.contains("sk-secret-value"))
        #expect(result.stdout.contains("***"))
        #expect(result.stdout.contains("SWITCHYARD_TEST_UNSET_KEY"))
        #expect(
            result.stderr.contains(
                "warning: providers[openai].api_key_env: environment variable SWITCHYARD_TEST_UNSET_KEY is not set"))
    }

    @Test("an invalid file: file:line: path: message on stderr, exit 1, nothing on stdout")
    func invalid() async throws {
        let directory = try LedgerFixture.temporaryDirectory("config")
        let path = directory.appendingPathComponent("bad.yaml").path
        try """
        providers:
          - name: local
            kind: simulated
            models: [m]
        routes:
          - name: default
            tiers:
              - targets: [local/m]
                balanse: cost
        """.write(toFile: path, atomically: true, encoding: .utf8)
        let result = try await CLI.run(["config", "check", "--config", path])
        #expect(result.status == 1, "\(result)")
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.hasPrefix("error: \(path):9: routes[0].tiers[0]"), "\(result)")
        #expect(result.stderr.contains("balanse"))
        #expect(result.stderr.split(separator: "\n").count == 1)
    }

    @Test("a file that does not exist: exit 1")
    func missing() async throws {
        let result = try await CLI.run(["config", "check", "--config", "/nonexistent/switchyard.yaml"])
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("error: /nonexistent/switchyard.yaml"), "\(result)")
    }
}
