import Foundation
import SwitchyardTesting

/// What one run of the `switchyard` binary did.
struct CommandResult: Sendable, CustomStringConvertible {
    var status: Int32
    var stdout: String
    var stderr: String

    var description: String { "exit \(status)\n--- stdout\n\(stdout)--- stderr\n\(stderr)" }
}

/// Runs the built `switchyard` executable as a subprocess.
enum CLI {
    /// The built executable (see `SwitchyardBinary`).
    static var binary: URL { SwitchyardBinary.url }

    /// A scratch working directory, so that a command defaulting to ./switchyard.sqlite never writes in the repo.
    static let workingDirectory: URL = {
        let url = LedgerFixture.runDirectory.appendingPathComponent("cwd", isDirectory: true)
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }()

    /// The inherited environment without Switchyard's own variables, plus `environment`.
    static func environment(_ extra: [String: String]) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("SWITCHYARD_") }
        environment.merge(extra) { $1 }
        return environment
    }

    /// Runs `switchyard arguments...` to completion and captures its output.
    static func run(
        _ arguments: [String], environment: [String: String] = [:], stdin: String? = nil
    ) async throws -> CommandResult {
        try await runExecutable(binary, arguments, environment: self.environment(environment), stdin: stdin)
    }

    /// Runs any executable to completion, reading stdout and stderr concurrently so neither pipe fills up.
    static func runExecutable(
        _ executable: URL, _ arguments: [String], environment: [String: String]? = nil, stdin: String? = nil
    ) async throws -> CommandResult {
        let process = TestProcess()
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = workingDirectory
        if let environment { process.environment = environment }
        let output = Pipe()
        let errors = Pipe()
        let input = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = input
        try process.run()
        return await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
                try? input.fileHandleForWriting.close()
                let group = DispatchGroup()
                nonisolated(unsafe) var errorData = Data()
                group.enter()
                DispatchQueue.global().async {
                    errorData = errors.fileHandleForReading.readDataToEndOfFile()
                    group.leave()
                }
                let outputData = output.fileHandleForReading.readDataToEndOfFile()
                group.wait()
                process.waitUntilExit()
                continuation.resume(
                    returning: CommandResult(
                        status: process.terminationStatus, stdout: String(decoding: outputData, as: UTF8.self),
                        stderr: String(decoding: errorData, as: UTF8.self)))
            }
        }
    }

    /// Runs the `sqlite3` shell on `database` (installed by `scripts/install-deps`).
    static func sqlite3(_ database: String, _ sql: String) async throws -> CommandResult {
        let candidates = ["/usr/bin/sqlite3", "/usr/local/bin/sqlite3", "/opt/homebrew/bin/sqlite3"]
        guard let path = candidates.first(where: FileManager.default.isExecutableFile(atPath:)) else {
            throw TestFailure("the sqlite3 shell is missing: run scripts/install-deps")
        }
        return try await runExecutable(URL(fileURLWithPath: path), [database, sql])
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
