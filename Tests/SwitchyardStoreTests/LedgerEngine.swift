import Foundation
import GRDB
import Logging
import PostgresNIO
import SwitchyardCore
import Synchronization
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

/// A fresh, migrated ledger on one engine, with the budget store(s), key store(s) and alert store on it, and raw SQL
/// for checking rows.
struct EngineHarness: Sendable {
    /// How a key store is made: its `last_used_at` interval, wall clock, and key source (`nil` for the real one).
    struct KeyStoreOptions: Sendable {
        var lastUsedInterval: Duration = .seconds(60)
        var now: @Sendable () -> Date = { Date() }
        var generateKey: (@Sendable () -> String)?
    }

    let engine: LedgerEngine
    let makeStore: @Sendable (
        _ defaults: BudgetDefaults, _ instance: String, _ alertThresholds: [Int], _ now: @escaping @Sendable () -> Date
    ) -> any BudgetAdministration
    let makeKeys: @Sendable (KeyStoreOptions) -> any APIKeyDirectory
    let makeAlerts: @Sendable (_ now: @escaping @Sendable () -> Date) -> any BudgetAlertDirectory
    let rows: @Sendable (_ sql: String) async throws -> [[SQLValue]]
    /// The engine's read-only query (`LedgerDatabase.query` or `PostgresLedger.query`).
    let runQuery: @Sendable (_ sql: String, _ rowLimit: Int, _ timeout: Duration) async throws -> SQLQueryResult
    /// The SQLite ledger, on that engine.
    let sqlite: LedgerDatabase?
    let postgres: PostgresLedger?

    func store(
        _ defaults: BudgetDefaults = BudgetDefaults(), instance: String = "a", alertThresholds: [Int] = [],
        now: @escaping @Sendable () -> Date = { Date() }
    ) -> any BudgetAdministration {
        makeStore(defaults, instance, alertThresholds, now)
    }

    /// A key store on the ledger (each call a new one, with no memory of the others' `last_used_at` writes).
    func keys(
        lastUsedInterval: Duration = .seconds(60), now: @escaping @Sendable () -> Date = { Date() },
        generateKey: (@Sendable () -> String)? = nil
    ) -> any APIKeyDirectory {
        makeKeys(KeyStoreOptions(lastUsedInterval: lastUsedInterval, now: now, generateKey: generateKey))
    }

    /// The ledger's budget alerts.
    func alerts(now: @escaping @Sendable () -> Date = { Date() }) -> any BudgetAlertDirectory {
        makeAlerts(now)
    }

    /// What a budget store of this harness tells after a commit that recorded alerts.
    func alertsRecorded(by store: any BudgetAdministration) -> LedgerSignal? {
        (store as? SQLiteBudgetStore)?.alertsRecorded ?? (store as? PostgresBudgetStore)?.alertsRecorded
    }

    func query(_ sql: String, rowLimit: Int = 1000, timeout: Duration = .seconds(5)) async throws -> SQLQueryResult {
        try await runQuery(sql, rowLimit, timeout)
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
                    makeStore: { defaults, _, thresholds, now in
                        SQLiteBudgetStore(database: database, defaults: defaults, alertThresholds: thresholds, now: now)
                    },
                    makeKeys: { options in
                        APIKeyStore(
                            database: database, lastUsedInterval: options.lastUsedInterval, now: options.now,
                            logger: Logger(label: "switchyard.tests.keys"),
                            generateKey: options.generateKey ?? { APIKeyFormat.generate() })
                    },
                    makeAlerts: { now in BudgetAlertStore(database: database, now: now) },
                    rows: { sql in try await database.query(sql).rows },
                    runQuery: { sql, rowLimit, timeout in
                        try await database.query(sql, rowLimit: rowLimit, timeout: timeout)
                    },
                    sqlite: database, postgres: nil))
        }
    case .postgres:
        try await withTemporaryPostgresDatabase { location in
            // A connection may be a while coming when hundreds of tasks queue on one team's row lock (2 cores).
            try await PostgresLedger.withLedger(location, connectionTimeout: .seconds(60)) { ledger in
                try await body(
                    EngineHarness(
                        engine: engine,
                        makeStore: { defaults, instance, thresholds, now in
                            PostgresBudgetStore(
                                ledger: ledger, instanceID: instance, defaults: defaults, alertThresholds: thresholds,
                                now: now)
                        },
                        makeKeys: { options in
                            PostgresAPIKeyStore(
                                ledger: ledger, lastUsedInterval: options.lastUsedInterval, now: options.now,
                                logger: Logger(label: "switchyard.tests.keys"),
                                generateKey: options.generateKey ?? { APIKeyFormat.generate() })
                        },
                        makeAlerts: { now in PostgresBudgetAlertStore(ledger: ledger, now: now) },
                        rows: { sql in try await ledger.rows(PostgresQuery(unsafeSQL: sql)).map(\.sqlValues) },
                        runQuery: { sql, rowLimit, timeout in
                            try await ledger.query(sql, rowLimit: rowLimit, timeout: timeout)
                        },
                        sqlite: nil, postgres: ledger))
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
    // One CREATE DATABASE at a time (PostgreSQL refuses to copy a template that another session uses), each a copy
    // of a database migrated once per test process: a copy takes milliseconds, migrating takes a second.
    try await databaseCreation.run {
        let template = try await migratedTemplate(on: server)
        try await withAdminConnection(server) {
            try await $0.query("CREATE DATABASE \(unescaped: name) TEMPLATE \(unescaped: template)", logger: $1)
        }
    }
    var location = server
    location.database = name
    // Hundreds of cases run at once against one server: a few connections each keep it within max_connections.
    location.poolSize = 4
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

/// Runs the test process's CREATE DATABASE statements one at a time.
private let databaseCreation = SerialRunner()

/// The name of this process's migrated template database, made on first use (only under `databaseCreation`).
private let templateName = Mutex<String?>(nil)

private func migratedTemplate(on server: PostgresLocation) async throws -> String {
    if let name = templateName.withLock({ $0 }) { return name }
    let name = "template_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12).lowercased()
    try await withAdminConnection(server) { try await $0.query("CREATE DATABASE \(unescaped: name)", logger: $1) }
    var location = server
    location.database = name
    try await PostgresLedger.withLedger(location) { _ in }
    templateName.withLock { $0 = name }
    return name
}

private actor SerialRunner {
    private var busy = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    func run(_ body: () async throws -> Void) async throws {
        while busy { await withCheckedContinuation { waiting.append($0) } }
        busy = true
        defer {
            busy = false
            if !waiting.isEmpty { waiting.removeFirst().resume() }
        }
        try await body()
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
