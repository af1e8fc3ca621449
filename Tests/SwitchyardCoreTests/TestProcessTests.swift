import Foundation
import SwitchyardTesting
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The tests' process launcher (see ``TestProcess`` for why it is not Foundation's `Process`).
@Suite struct TestProcessTests {
    /// Runs `/bin/sh -c script` and returns what it printed and its status.
    private func shell(_ script: String, configure: (TestProcess) -> Void = { _ in }) throws -> (String, TestProcess) {
        let process = TestProcess()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", script]
        let output = Pipe()
        process.standardOutput = output
        process.standardInput = FileHandle.nullDevice
        configure(process)
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (text, process)
    }

    @Test func withManyDescriptorsOpenTheChildGetsOnlyItsOwnThree() throws {
        // More than fill glibc's 32 KB buffer for /proc/self/fd, where Foundation's Process.run() can crash.
        var opened: [Int32] = []
        defer { opened.forEach { close($0) } }
        for _ in 0..<1500 { opened.append(open("/dev/null", O_RDONLY)) }
        #expect(opened.allSatisfy { $0 >= 0 })
        for _ in 0..<20 {
            // The shell's listing: 0, 1, 2 and the directory it reads (the numbers, not the names, are counted).
            let (text, process) = try shell("ls /proc/self/fd | wc -l")
            #expect(process.terminationStatus == 0)
            #expect(Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0 <= 4, "\(text)")
        }
    }

    @Test func environmentDirectoryAndExitStatusAreThoseAsked() throws {
        let directory = FileManager.default.currentDirectoryPath
        let (text, process) = try shell("printf '%s %s' \"$GREETING\" \"$(pwd)\"; exit 3") { process in
            process.environment = ["GREETING": "hello", "PATH": "/usr/bin:/bin"]
            process.currentDirectoryURL = URL(fileURLWithPath: "/tmp")
        }
        #expect(text == "hello /tmp")
        #expect(process.terminationStatus == 3)
        #expect(process.terminationReason == .exit)
        #expect(!process.isRunning)
        // The child changed directory, not the test process.
        #expect(FileManager.default.currentDirectoryPath == directory)
    }

    @Test func aSignalEndsItAndTheHandlerHearsOfIt() async throws {
        let process = TestProcess()
        process.executableURL = URL(fileURLWithPath: "/bin/sleep")
        process.arguments = ["30"]
        let ended = AsyncStream<Int32>.makeStream()
        process.terminationHandler = { process in
            ended.continuation.yield(process.terminationStatus)
            ended.continuation.finish()
        }
        try process.run()
        #expect(process.isRunning)
        process.terminate()
        var statuses = ended.stream.makeAsyncIterator()
        #expect(await statuses.next() == SIGTERM)
        #expect(process.terminationReason == .uncaughtSignal)
    }

    @Test func aMissingExecutableIsAnError() {
        let process = TestProcess()
        process.executableURL = URL(fileURLWithPath: "/nonexistent/switchyard")
        #expect(throws: POSIXError.self) { try process.run() }
        #expect(!process.isRunning)
    }
}
