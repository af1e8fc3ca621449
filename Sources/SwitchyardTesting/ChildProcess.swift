public import Foundation

/// Runs a command to its end without blocking a thread of the cooperative pool: its output goes to a file (a pipe
/// can be held open by a daemon the command starts), and its exit is awaited through the termination handler
/// (`waitUntilExit()` would block the calling thread).
public enum ChildProcess {
    /// What a command printed (standard output and error together) and its exit status.
    public struct Outcome: Sendable {
        public var status: Int32
        public var output: String
    }

    /// Runs `executable` with `arguments`; its standard input is empty.
    public static func run(
        _ executable: URL, _ arguments: [String], environment: [String: String]? = nil
    ) async throws -> Outcome {
        let outputFile = FileManager.default.temporaryDirectory.appending(path: "child-\(UUID().uuidString).out")
        FileManager.default.createFile(atPath: outputFile.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: outputFile) }
        let output = try FileHandle(forWritingTo: outputFile)
        defer { try? output.close() }
        let process = TestProcess()
        process.executableURL = executable
        process.arguments = arguments
        if let environment { process.environment = environment }
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { process in continuation.resume(returning: process.terminationStatus) }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
        return Outcome(status: status, output: (try? String(contentsOf: outputFile, encoding: .utf8)) ?? "")
    }
}
