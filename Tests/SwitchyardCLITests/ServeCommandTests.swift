import Foundation
import SwitchyardTesting
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

@Suite("switchyard serve", .timeLimit(.minutes(2)))
struct ServeCommandTests {
    @Test("logs one line with address, config and database; serves beside migrate and report; exits 0 on SIGTERM")
    func serveAndStop() async throws {
        let directory = try LedgerFixture.temporaryDirectory("serve")
        let config = directory.appendingPathComponent("switchyard.yaml").path
        let database = directory.appendingPathComponent("ledger.sqlite").path
        try LedgerFixture.configYAML.write(toFile: config, atomically: true, encoding: .utf8)

        let process = TestProcess()
        process.executableURL = CLI.binary
        process.arguments = ["serve", "--config", config, "--db", database, "--port", "0"]
        process.environment = CLI.environment([:])
        process.currentDirectoryURL = CLI.workingDirectory
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        let exited = AsyncStream<Int32> { continuation in
            process.terminationHandler = { process in
                continuation.yield(process.terminationStatus)
                continuation.finish()
            }
        }
        let chunks = AsyncStream<String> { continuation in
            errors.fileHandleForReading.readabilityHandler = { handle in
                let data = handle.availableData
                if data.isEmpty {
                    handle.readabilityHandler = nil
                    continuation.finish()
                } else {
                    continuation.yield(String(decoding: data, as: UTF8.self))
                }
            }
        }
        try process.run()
        defer { if process.isRunning { process.terminate() } }

        var log = ""
        var port: Int?
        var iterator = chunks.makeAsyncIterator()
        while port == nil, let chunk = await iterator.next() {
            log += chunk
            port = Self.port(in: log)
        }
        let listening = try #require(port, "no 'listening on' line in: \(log)")
        let line = try #require(log.split(separator: "\n").first { $0.contains("listening on") })
        #expect(line.contains("listening on http://127.0.0.1:\(listening)"))
        #expect(line.contains("config: \(config)"))
        #expect(line.contains("database: \(database)"))

        let health = try await Self.request("http://127.0.0.1:\(listening)/healthz")
        #expect(health.status == 200)
        let chat = try await Self.request(
            "http://127.0.0.1:\(listening)/chat/completions",
            body: #"{"prompt": "hello", "model": "steady/steady-mini"}"#)
        #expect(chat.status == 200, "\(chat.body)")

        // Operator commands work beside the running service, on the same file.
        let migrate = try await CLI.run(["migrate", "--db", database])
        #expect(migrate.status == 0, "\(migrate)")
        #expect(migrate.stderr.contains("up to date"))
        let report = try await CLI.run(["report", "costs", "--db", database, "--format", "csv"])
        #expect(try Parse.csv(report.stdout).records.first?["requests"] == "1", "\(report)")

        process.terminate()  // SIGTERM
        while let chunk = await iterator.next() { log += chunk }
        var statuses = exited.makeAsyncIterator()
        let status = await statuses.next()
        #expect(status == 0, "\(log)")
        #expect(log.split(separator: "\n").count == 1, "one line in all: \(log)")
        #expect(process.terminationReason == .exit)

        let rows = try await CLI.run(["query", "--db", database, "--format", "csv", "SELECT status FROM requests"])
        #expect(try Parse.csv(rows.stdout).records.map { $0["status"] } == ["success"], "\(rows)")
    }

    /// The port of the `listening on http://127.0.0.1:PORT` line, once the line is complete.
    static func port(in log: String) -> Int? {
        for line in log.split(separator: "\n", omittingEmptySubsequences: false).dropLast() {
            guard let range = line.range(of: "listening on http://127.0.0.1:") else { continue }
            return Int(line[range.upperBound...].prefix { $0.isNumber })
        }
        return nil
    }

    static func request(_ url: String, body: String? = nil) async throws -> (status: Int, body: String) {
        var request = URLRequest(url: try #require(URL(string: url)))
        if let body {
            request.httpMethod = "POST"
            request.httpBody = Data(body.utf8)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
    }
}
