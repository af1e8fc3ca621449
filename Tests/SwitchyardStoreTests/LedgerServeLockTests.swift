import Foundation
import SwitchyardTesting
import Testing

@testable import SwitchyardStore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One serving process per ledger file, across processes (util-linux `flock` as the other process) and within one.
@Suite(.timeLimit(.minutes(1))) struct LedgerServeLockTests {
    private static let flockTool = "/usr/bin/flock"

    @Test func aSecondAcquisitionFailsUntilTheFirstIsReleased() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.appending(path: "ledger.sqlite").path
            let first = try LedgerServeLock.acquire(databasePath: path)
            #expect(first.lockFilePath == path + ".lock")
            let refusal = #expect(throws: LedgerError.self) { try LedgerServeLock.acquire(databasePath: path) }
            #expect(refusal?.code == .inUse)
            #expect(refusal?.code.rawValue == "ledger_in_use")
            #expect(refusal?.message.contains("'\(path)'") == true)
            #expect(refusal?.message.contains("process \(getpid())") == true)

            first.release()
            first.release()  // idempotent
            let second = try LedgerServeLock.acquire(databasePath: path)
            second.release()
        }
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: flockTool)))
    func anotherProcessHoldingTheLockRefusesServeUntilItIsKilled() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.appending(path: "ledger.sqlite").path
            // `flock -F` execs `cat` holding the lock, so killing that one process is what releases it.
            let holder = TestProcess()
            holder.executableURL = URL(fileURLWithPath: Self.flockTool)
            holder.arguments = ["-F", path + ".lock", "cat"]
            let stdin = Pipe()
            holder.standardInput = stdin
            try holder.run()
            defer { if holder.isRunning { kill(holder.processIdentifier, SIGKILL) } }

            try await waitUntil("the other process holds the lock") {
                do {
                    try LedgerServeLock.acquire(databasePath: path).release()
                    return false
                } catch let error as LedgerError where error.code == .inUse {
                    #expect(error.message.contains(path + ".lock"))
                    return true
                }
            }
            kill(holder.processIdentifier, SIGKILL)
            holder.waitUntilExit()
            let lock = try LedgerServeLock.acquire(databasePath: path)
            lock.release()
        }
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: flockTool)))
    func theLockKeepsOtherProcessesOut() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.appending(path: "ledger.sqlite").path
            let lock = try LedgerServeLock.acquire(databasePath: path)
            #expect(try Self.otherProcessCanLock(path + ".lock") == false)
            lock.release()
            #expect(try Self.otherProcessCanLock(path + ".lock") == true)
        }
    }

    private static func otherProcessCanLock(_ lockFile: String) throws -> Bool {
        let process = TestProcess()
        process.executableURL = URL(fileURLWithPath: flockTool)
        process.arguments = ["-n", lockFile, "true"]
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus == 0
    }
}
