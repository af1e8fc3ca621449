import Foundation
import Testing

@Suite("usage errors, help and exit codes", .timeLimit(.minutes(2)))
struct UsageTests {
    @Test(
        "bad usage exits 2 with the problem on stderr and nothing on stdout",
        arguments: [
            ["frobnicate"],
            ["report", "costs", "--format", "xml"],
            ["report", "costs", "--by", "colour"],
            ["report", "costs", "--since", "last tuesday"],
            ["report", "costs", "--since", "2026-11-02", "--until", "2026-11-01"],
            ["report", "reliability", "--by", "user"],
            ["query", "--bogus", "SELECT 1"],
            ["query", "--limit", "0", "SELECT 1"],
            ["query"],
            ["chat", "--priority", "cheapest", "hello"],
            ["chat", "--max-cost-usd", "0.0000001", "hello"],
            ["chat"],
            ["budget", "set", "alice"],
            ["budget", "show"],
            ["serve", "--port", "70000"],
        ])
    func badUsage(arguments: [String]) async throws {
        let result = try await CLI.run(arguments)
        #expect(result.status == 2, "\(arguments): \(result)")
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.hasPrefix("Error: "), "\(result)")
        #expect(result.stderr.contains("Usage: "))
    }

    static let commands: [[String]] = [
        [], ["serve"], ["migrate"], ["chat"], ["report"], ["report", "costs"], ["report", "reliability"], ["query"],
        ["budget"], ["budget", "show"], ["budget", "set"], ["budget", "list"], ["budget", "verify"], ["providers"],
        ["config"], ["config", "check"],
    ]

    @Test("--help on every command explains it with an example", arguments: commands)
    func help(command: [String]) async throws {
        let result = try await CLI.run(command + ["--help"])
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout.contains("OVERVIEW: ") || result.stdout.contains("USAGE: "))
        #expect(result.stdout.contains("Example"), "\(command) --help has no example:\n\(result.stdout)")
        #expect(result.stdout.contains("switchyard \(command.joined(separator: " "))"))
    }
}

@Suite("progress on stderr", .timeLimit(.minutes(1)))
struct ProgressTests {
    /// A provider slow enough (1.5 s) for the spinner, which appears after 0.3 s, to be drawn.
    static func slowConfig() throws -> (config: String, database: String) {
        let directory = try LedgerFixture.temporaryDirectory("progress")
        let config = directory.appendingPathComponent("slow.yaml").path
        try """
        health_checks: {enabled: false}
        providers:
          - name: slow
            kind: simulated
            models: [m]
            simulated: {latency_ms: 1500}
        """.write(toFile: config, atomically: true, encoding: .utf8)
        return (config, directory.appendingPathComponent("ledger.sqlite").path)
    }

    @Test("piped: no progress output, only the summary")
    func quietWhenPiped() async throws {
        let (config, database) = try Self.slowConfig()
        let result = try await CLI.run(["chat", "--config", config, "--db", database, "hello"])
        #expect(result.status == 0, "\(result)")
        #expect(!result.stderr.contains("routing"))
        #expect(!result.stderr.contains("\u{1B}"))
    }

    @Test(
        "on a terminal: a spinner on stderr, erased when done",
        .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/script")))
    func spinnerOnTerminal() async throws {
        let (config, database) = try Self.slowConfig()
        // util-linux `script` runs the command with a pseudo-terminal as its stdin, stdout and stderr.
        let command = [CLI.binary.path, "chat", "--config", config, "--db", database, "hello"]
            .map { "'\($0)'" }.joined(separator: " ")
        let result = try await CLI.runExecutable(
            URL(fileURLWithPath: "/usr/bin/script"), ["-qec", command, "/dev/null"],
            environment: CLI.environment([:]))
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout.contains("\r⠋ routing… 0s\u{1B}[K"), "\(result)")
        #expect(result.stdout.contains("\r\u{1B}[K"), "the spinner line is erased")
        #expect(result.stdout.contains("provider: slow/m"))
    }
}
