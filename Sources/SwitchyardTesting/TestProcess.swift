public import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A child process for tests, with the part of Foundation's `Process` interface the tests use, started with
/// `posix_spawn` directly.
///
/// Foundation's `Process.run()` on Linux (swift-corelibs-foundation up to at least Swift 6.3.1) reads
/// `/proc/self/fd` with a 256-byte copy of each `dirent`'s name, past the end of glibc's 32 KB directory buffer once
/// a process has more than about 1,350 descriptors open; when the page after the buffer is unmapped the test process
/// dies with SIGSEGV (swiftlang/swift-corelibs-foundation#5472, fixed upstream in May 2026). The test process, with
/// many servers, databases and clients open at once, has had 1,800. This launcher never reads the directory: the
/// child closes every descriptor above 2 with `posix_spawn_file_actions_addclosefrom_np`. It also changes the
/// child's working directory in the child (`addchdir_np`), where `Process` changes the whole test process's.
///
/// ```swift
/// let process = TestProcess()
/// process.executableURL = URL(fileURLWithPath: "/usr/bin/true")
/// try process.run()
/// process.waitUntilExit()
/// #expect(process.terminationStatus == 0)
/// ```
public final class TestProcess: @unchecked Sendable {
    /// How a process ended.
    public enum TerminationReason: Sendable {
        case exit
        case uncaughtSignal
    }

    // Set before `run()`, from one thread, as with `Process`.
    public var executableURL: URL?
    public var arguments: [String] = []
    /// The child's whole environment; `nil` for this process's.
    public var environment: [String: String]?
    public var currentDirectoryURL: URL?
    /// A `Pipe` (the child reads its read end) or a `FileHandle`; `nil` inherits this process's.
    public var standardInput: Any?
    /// A `Pipe` (the child writes its write end) or a `FileHandle`; `nil` inherits this process's.
    public var standardOutput: Any?
    public var standardError: Any?
    /// Called once, on a thread of its own, when the process has exited.
    public var terminationHandler: (@Sendable (TestProcess) -> Void)?

    private struct State {
        var pid: pid_t = 0
        /// The raw `waitpid` status, once it has exited.
        var status: Int32?
    }
    private let state = Mutex(State())
    private let exited = DispatchSemaphore(value: 0)

    public init() {}

    public var processIdentifier: Int32 { state.withLock { $0.pid } }
    /// Whether it was started and has not exited.
    public var isRunning: Bool { state.withLock { $0.pid != 0 && $0.status == nil } }

    /// The exit status, or the signal that ended it. Only meaningful once it has exited.
    public var terminationStatus: Int32 {
        guard let status = state.withLock({ $0.status }) else { return 0 }
        return Self.signal(of: status) ?? (status >> 8) & 0xff
    }

    public var terminationReason: TerminationReason {
        guard let status = state.withLock({ $0.status }) else { return .exit }
        return Self.signal(of: status) == nil ? .exit : .uncaughtSignal
    }

    private static func signal(of status: Int32) -> Int32? {
        let signal = status & 0x7f
        return signal != 0 && signal != 0x7f ? signal : nil
    }

    /// Starts the process.
    ///
    /// - Throws: `POSIXError` when it cannot be started (no such executable, no such directory, ...).
    public func run() throws {
        guard let executable = executableURL?.path else { throw POSIXError(.ENOENT) }
        var actions = posix_spawn_file_actions_t()
        try Self.check(posix_spawn_file_actions_init(&actions))
        defer { posix_spawn_file_actions_destroy(&actions) }
        for (stream, target) in [(standardInput, STDIN_FILENO), (standardOutput, STDOUT_FILENO), (standardError, STDERR_FILENO)] {
            guard let descriptor = Self.descriptor(of: stream, reading: target == STDIN_FILENO) else { continue }
            if descriptor < 0 {  // FileHandle.nullDevice has no descriptor of its own
                try Self.check(posix_spawn_file_actions_addopen(&actions, target, "/dev/null", O_RDWR, 0))
            } else {
                try Self.check(posix_spawn_file_actions_adddup2(&actions, descriptor, target))
            }
        }
        try Self.check(GNUSpawn.addCloseFrom(&actions, 3))
        if let directory = currentDirectoryURL?.path {
            try Self.check(GNUSpawn.addChdir(&actions, directory))
        }
        var attributes = posix_spawnattr_t()
        try Self.check(posix_spawnattr_init(&attributes))
        defer { posix_spawnattr_destroy(&attributes) }
        // Its own process group (as `Process` does), every signal at its default and none blocked: a test process's
        // ignored SIGPIPE must not reach the child.
        var defaults = sigset_t()
        sigfillset(&defaults)
        var unblocked = sigset_t()
        sigemptyset(&unblocked)
        try Self.check(posix_spawnattr_setsigdefault(&attributes, &defaults))
        try Self.check(posix_spawnattr_setsigmask(&attributes, &unblocked))
        try Self.check(posix_spawnattr_setpgroup(&attributes, 0))
        try Self.check(
            posix_spawnattr_setflags(
                &attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK)))

        let environment = (self.environment ?? ProcessInfo.processInfo.environment).map { "\($0.key)=\($0.value)" }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup($0) } + [nil]
        defer {
            for pointer in argv + envp { free(pointer) }
        }
        var pid: pid_t = 0
        try Self.check(posix_spawn(&pid, executable, &actions, &attributes, argv, envp))
        state.withLock { $0.pid = pid }
        // The child has its ends of the pipes; ours must close, so that reading its output sees the end of it.
        (standardOutput as? Pipe).map { try? $0.fileHandleForWriting.close() }
        (standardError as? Pipe).map { try? $0.fileHandleForWriting.close() }
        (standardInput as? Pipe).map { try? $0.fileHandleForReading.close() }
        let child = pid
        let thread = Thread { [self] in
            var status: Int32 = 0
            while waitpid(child, &status, 0) == -1 && errno == EINTR {}
            state.withLock { $0.status = status }
            exited.signal()
            terminationHandler?(self)
        }
        thread.start()
    }

    /// Blocks the calling thread until the process has exited.
    public func waitUntilExit() {
        guard state.withLock({ $0.pid != 0 }) else { return }
        exited.wait()
        exited.signal()
    }

    /// SIGTERM.
    public func terminate() {
        let pid = processIdentifier
        if pid != 0, isRunning { kill(pid, SIGTERM) }
    }

    private static func descriptor(of stream: Any?, reading: Bool) -> Int32? {
        switch stream {
        case let pipe as Pipe:
            reading ? pipe.fileHandleForReading.fileDescriptor : pipe.fileHandleForWriting.fileDescriptor
        case let handle as FileHandle: handle === FileHandle.nullDevice ? -1 : handle.fileDescriptor
        default: nil
        }
    }

    private static func check(_ result: Int32) throws {
        guard result == 0 else { throw POSIXError(POSIXErrorCode(rawValue: result) ?? .EINVAL) }
    }
}

/// glibc's `posix_spawn` file actions that its headers declare only under `_GNU_SOURCE`, which Swift's Glibc module
/// does not define: looked up by name (glibc 2.29 has `addchdir_np`, 2.34 `addclosefrom_np`; Debian 12 has 2.36).
private enum GNUSpawn {
    typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    typealias Chdir = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32

    static let addCloseFrom: CloseFrom = function("posix_spawn_file_actions_addclosefrom_np")
    static let addChdir: Chdir = function("posix_spawn_file_actions_addchdir_np")

    private static func function<Function>(_ name: String) -> Function {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), name) else {
            fatalError("TestProcess needs glibc 2.34 or newer: \(name) is missing")
        }
        return unsafeBitCast(symbol, to: Function.self)
    }
}
