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
