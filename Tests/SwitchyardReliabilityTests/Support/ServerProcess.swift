import Foundation
import SwitchyardTesting
import Synchronization

/// The built `switchyard` binary and its subprocesses.
enum Switchyard {
    /// The built executable (see `SwitchyardBinary`).
    static var binary: URL { SwitchyardBinary.url }

    /// The inherited environment without Switchyard's own variables. A crash prints a fast, unsymbolicated
    /// backtrace, so that a dying server is dead in well under a second (a full one takes many seconds).
    static var environment: [String: String] {
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("SWITCHYARD_") }
        environment["SWIFT_BACKTRACE"] = environment["SWIFT_BACKTRACE"] ?? "enable=yes,symbolicate=off,interactive=no"
        return environment
    }

    /// Runs `switchyard arguments...` to completion (at most `timeout`) and captures its output.
    static func run(_ arguments: [String], timeout: Duration = .seconds(30)) async throws -> CommandResult {
        let process = TestProcess()
        process.executableURL = binary
        process.arguments = arguments
        process.environment = environment
        process.currentDirectoryURL = FileManager.default.temporaryDirectory
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        let stdout = OutputCollector(output.fileHandleForReading)
        let stderr = OutputCollector(errors.fileHandleForReading)
        let exited = Changes()
        process.terminationHandler = { _ in exited.signal() }
        try process.run()
        ChildProcesses.register(process.processIdentifier)
        defer { ChildProcesses.unregister(process.processIdentifier) }
        do {
            try await exited.wait("switchyard \(arguments.joined(separator: " ")) exits", timeout: timeout) {
                !process.isRunning
            }
        } catch {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            throw TestFailure("switchyard \(arguments.joined(separator: " ")) ran past \(timeout)")
        }
        process.waitUntilExit()
        return CommandResult(
            status: process.terminationStatus, stdout: await stdout.finished(), stderr: await stderr.finished())
    }
}

/// What one run of the `switchyard` binary did.
struct CommandResult: Sendable, CustomStringConvertible {
    var status: Int32
    var stdout: String
    var stderr: String

    var description: String { "exit \(status)\n--- stdout\n\(stdout)--- stderr\n\(stderr)" }
}

/// A running `switchyard serve`, started on port 0; its port is read from its start-up line.
final class ServerProcess: @unchecked Sendable {
    // `Process` is not Sendable; it is only touched through these methods, each of which is safe to call from
    // any thread (Foundation locks its state).
    private let process: TestProcess
    private let stderr: OutputCollector
    let port: Int

    private init(process: TestProcess, stderr: OutputCollector, port: Int) {
        self.process = process
        self.stderr = stderr
        self.port = port
    }

    /// Starts `switchyard serve --config config --db database --port 0` and waits (at most `timeout`) for its
    /// `listening on` line.
    static func start(
        config: String, database: String, timeout: Duration = .seconds(30)
    ) async throws -> ServerProcess {
        let launched = try launch(config: config, database: database)
        let process = launched.process
        do {
            // Output and exit both signal the collector's changes.
            try await launched.stderr.changes.wait("switchyard serve listens", timeout: timeout) {
                Self.port(in: launched.stderr.text) != nil || !process.isRunning
            }
        } catch {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            ChildProcesses.unregister(process.processIdentifier)
            throw TestFailure("switchyard serve did not listen within \(timeout):\n\(launched.stderr.text)")
        }
        guard let port = Self.port(in: launched.stderr.text) else {
            process.waitUntilExit()
            ChildProcesses.unregister(process.processIdentifier)
            throw TestFailure(
                "switchyard serve exited \(process.terminationStatus) before listening:\n"
                    + (await launched.stderr.finished()))
        }
        return ServerProcess(process: process, stderr: launched.stderr, port: port)
    }

    /// Starts `switchyard serve` without waiting for it to listen (for a start that is expected to fail).
    static func launch(
        config: String, database: String
    ) throws -> (process: TestProcess, stderr: OutputCollector) {
        let process = TestProcess()
        process.executableURL = Switchyard.binary
        process.arguments = ["serve", "--config", config, "--db", database, "--port", "0"]
        process.environment = Switchyard.environment
        process.currentDirectoryURL = FileManager.default.temporaryDirectory
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        let collector = OutputCollector(errors.fileHandleForReading)
        process.terminationHandler = { _ in collector.changes.signal() }
        try process.run()
        ChildProcesses.register(process.processIdentifier)
        return (process, collector)
    }

    var isRunning: Bool { process.isRunning }
    /// Everything the server wrote on stderr so far.
    var log: String { stderr.text }

    /// SIGKILL: the crash.
    func kill9() async {
        kill(process.processIdentifier, SIGKILL)
        _ = await waitForExit(timeout: .seconds(10))
        ChildProcesses.unregister(process.processIdentifier)
    }

    /// SIGTERM, then SIGKILL if it has not exited within `grace`. Returns the exit status (nil if killed).
    @discardableResult
    func stop(grace: Duration = .seconds(10)) async -> Int32? {
        guard process.isRunning else {
            ChildProcesses.unregister(process.processIdentifier)
            return process.terminationStatus
        }
        kill(process.processIdentifier, SIGTERM)
        let status = await waitForExit(timeout: grace)
        if status == nil { await kill9() }
        ChildProcesses.unregister(process.processIdentifier)
        return status
    }

    /// Waits for the process to exit; its status, or nil when it still runs after `timeout`.
    func waitForExit(timeout: Duration) async -> Int32? {
        await Self.waitForExit(process, changes: stderr.changes, timeout: timeout)
    }

    /// Waits for a process started by ``launch(config:database:)`` to exit (its termination signals `changes`).
    static func waitForExit(_ process: TestProcess, changes: Changes, timeout: Duration) async -> Int32? {
        guard (try? await changes.wait("the process exits", timeout: timeout, until: { !process.isRunning })) != nil
        else { return nil }
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// The port of a complete `listening on http://127.0.0.1:PORT` line.
    static func port(in log: String) -> Int? {
        for line in log.split(separator: "\n", omittingEmptySubsequences: false).dropLast() {
            guard let range = line.range(of: "listening on http://127.0.0.1:") else { continue }
            return Int(line[range.upperBound...].prefix { $0.isNumber })
        }
        return nil
    }
}

/// Collects what a pipe delivers, on a background thread, so the pipe never fills up.
final class OutputCollector: Sendable {
    private struct State {
        var data = Data()
        var done = false
    }
    private let state = Mutex(State())
    /// Signalled on every piece of output and when the pipe closes (and by whoever else shares it).
    let changes = Changes()

    init(_ handle: FileHandle) {
        let thread = Thread { [self] in
            while true {
                let data = handle.availableData
                if data.isEmpty { break }
                state.withLock { $0.data.append(data) }
                changes.signal()
            }
            state.withLock { $0.done = true }
            changes.signal()
        }
        thread.start()
    }

    var text: String { state.withLock { String(decoding: $0.data, as: UTF8.self) } }

    /// The whole output, once the writer closed the pipe (at most 5 s after this is called).
    func finished() async -> String {
        try? await changes.wait("the pipe closes", timeout: .seconds(5)) { state.withLock { $0.done } }
        return text
    }
}

/// Every subprocess still running is killed when the test process exits, so a failed test leaves no server behind.
/// A process is unregistered as soon as it is known to have exited, so no other process's id is ever signalled.
enum ChildProcesses {
    private static let pids = Mutex<Set<Int32>>([])
    private static let killAtExit: Void = { atexit { ChildProcesses.killAll() } }()

    static func killAll() {
        for pid in pids.withLock({ $0 }) { kill(pid, SIGKILL) }
    }

    static func register(_ pid: Int32) {
        _ = killAtExit
        pids.withLock { _ = $0.insert(pid) }
    }
    static func unregister(_ pid: Int32) { pids.withLock { _ = $0.remove(pid) } }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
