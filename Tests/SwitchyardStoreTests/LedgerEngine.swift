import Foundation
import GRDB
import Logging
import PostgresNIO
import SwitchyardCore
import Testing

@testable import SwitchyardPostgres
@testable import SwitchyardStore

/// The engines a parameterised store test runs on: SQLite always; PostgreSQL when `SWITCHYARD_TEST_POSTGRES_URL`
/// names a server (scripts/test starts a throwaway one). With `SWITCHYARD_REQUIRE_POSTGRES=1` (CI), a missing URL
/// fails the PostgreSQL cases instead of leaving them out.
enum LedgerEngine: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case sqlite, postgres

    var testDescription: String { rawValue }

    static let postgresURL = ProcessInfo.processInfo.environment["SWITCHYARD_TEST_POSTGRES_URL"]

    static var available: [LedgerEngine] {
        postgresURL != nil || ProcessInfo.processInfo.environment["SWITCHYARD_REQUIRE_POSTGRES"] == "1"
            ? [.sqlite, .postgres] : [.sqlite]
    }
}

/// A fresh, migrated ledger on one engine, with the budget store(s) on it and raw SQL for checking rows.
struct EngineHarness: Sendable {
    let engine: LedgerEngine
    let makeStore: @Sendable (_ defaults: BudgetDefaults, _ instance: String, _ now: @escaping @Sendable () -> Date) ->
        any BudgetAdministration
    let rows: @Sendable (_ sql: String) async throws -> [[SQLValue]]
    let postgres: PostgresLedger?
    /// The SQLite ledger, on that engine.
    var sqlite: LedgerDatabase? = nil

    func store(
        _ defaults: BudgetDefaults = BudgetDefaults(), instance: String = "a",
        now: @escaping @Sendable () -> Date = { Date() }
    ) -> any BudgetAdministration {
        makeStore(defaults, instance, now)
    }

    func integer(_ sql: String) async throws -> Int64? {
        guard case .integer(let value) = try await rows(sql).first?.first else { return nil }
        return value
    }
}

extension EngineHarness {
    /// Runs `sql` (statements that write: fixture rows) on the engine's ledger.
    func execute(_ sql: String) async throws {
        if let postgres {
            _ = try await postgres.rows(PostgresQuery(unsafeSQL: sql))
        } else {
            try await sqlite!.pool.write { db in try db.execute(sql: sql) }
        }
    }

    /// A ledger writer on the engine: through the SQLite committer, or the PostgreSQL one (instance `test`).
    func makeSink() -> LedgerEventSink {
        if let postgres {
            return LedgerEventSink(committer: PostgresEventCommitter(ledger: postgres, instanceID: "test"))
        }
        return LedgerEventSink(database: sqlite!)
    }

    /// Runs a writer on the engine beside `body` (see ``withRunningSink(_:_:)``): the events `body` emits are
    /// committed when it returns.
    func withSink(_ body: (LedgerEventSink) async throws -> Void) async throws {
        try await withRunningSink(makeSink(), body)
    }

    /// The report `request` asks for, as the engine's ledger computes it.
    func report<Request: LedgerReportRequest>(_ request: Request) async throws -> Request.Report {
        if let postgres { return try await postgres.report(request) }
        return try await sqlite!.report(request)
    }

    func costReport(_ request: CostReport.Request) async throws -> CostReport {
        try await report(request)
    }

    func costReport(since: Date, until: Date, groupedBy dimensions: [CostDimension]) async throws -> CostReport {
        try await report(CostReport.Request(range: ReportRange(since: since, until: until), groupedBy: dimensions))
    }

    func reliabilityReport(since: Date, until: Date) async throws -> ReliabilityReport {
        try await report(ReliabilityReport.Request(range: ReportRange(since: since, until: until)))
    }

    func totals() async throws -> LedgerTotals {
        if let postgres { return try await postgres.totals() }
        return try await sqlite!.totals()
    }

    /// Runs `body` on a reader over one snapshot of the engine's ledger.
    func withReader<T: Sendable>(_ body: (LedgerReader) async throws -> T) async throws -> T {
        if let postgres { return try await postgres.read("a test read", body) }
        return try await sqlite!.read("a test read", body)
    }
}

/// Runs `body` with a fresh ledger on `engine`: a temporary SQLite file, or a new database on the test server
/// (dropped afterwards).
func withEngine(_ engine: LedgerEngine, _ body: (EngineHarness) async throws -> Void) async throws {
    switch engine {
    case .sqlite:
        try await withLedger { database in
            try await body(
                EngineHarness(
                    engine: engine,
                    makeStore: { defaults, _, now in SQLiteBudgetStore(database: database, defaults: defaults, now: now) },
                    rows: { sql in try await database.query(sql).rows }, postgres: nil, sqlite: database))
        }
    case .postgres:
        try await withTemporaryPostgresDatabase { location in
            try await PostgresLedger.withLedger(location) { ledger in
                try await body(
                    EngineHarness(
                        engine: engine,
                        makeStore: { defaults, instance, now in
                            PostgresBudgetStore(ledger: ledger, instanceID: instance, defaults: defaults, now: now)
                        },
                        rows: { sql in try await ledger.rows(PostgresQuery(unsafeSQL: sql)).map(\.sqlValues) },
                        postgres: ledger))
            }
        }
    }
}

/// A new, empty database on the test server for `body`, dropped afterwards.
func withTemporaryPostgresDatabase(_ body: (PostgresLocation) async throws -> Void) async throws {
    guard let url = LedgerEngine.postgresURL else {
        Issue.record("SWITCHYARD_TEST_POSTGRES_URL is not set; run the tests with scripts/test, which starts a server")
        return
    }
    let server = try PostgresLocation(url: url, environment: [:])
    let name = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased()
    try await withAdminConnection(server) { try await $0.query("CREATE DATABASE \(unescaped: name)", logger: $1) }
    var location = server
    location.database = name
    do {
        try await body(location)
    } catch {
        try? await dropDatabase(name, on: server)
        throw error
    }
    try await dropDatabase(name, on: server)
}

private func dropDatabase(_ name: String, on server: PostgresLocation) async throws {
    try await withAdminConnection(server) {
        try await $0.query("DROP DATABASE IF EXISTS \(unescaped: name) WITH (FORCE)", logger: $1)
    }
}

private func withAdminConnection(
    _ server: PostgresLocation, _ body: (PostgresConnection, Logger) async throws -> Void
) async throws {
    let logger = Logger(label: "switchyard.tests.postgres")
    let connection = try await PostgresConnection.connect(
        configuration: PostgresConnection.Configuration(
            host: server.host, port: server.port, username: server.username, password: nil,
            database: server.database, tls: .disable),
        id: 1, logger: logger)
    do {
        try await body(connection, logger)
    } catch {
        try? await connection.close()
        throw error
    }
    try await connection.close()
}
