import Benchmark
import Foundation
import SwitchyardCore
import SwitchyardPostgres
import SwitchyardStore
import Synchronization

// Ledger throughput and budget admission latency, on real SQLite files in a temporary directory, and on PostgreSQL
// when SWITCHYARD_BENCH_POSTGRES_URL names a database (the benchmarks' names then start with "PostgreSQL").
//
//   cd Benchmarks && swift package --allow-writing-to-package-directory benchmark --target LedgerBenchmarks
//
//   url=$(PG_FSYNC=on ../scripts/postgres-test-server start /tmp/switchyard-bench-pg)
//   SWITCHYARD_BENCH_POSTGRES_URL=$url swift package --allow-writing-to-package-directory benchmark \
//       --target LedgerBenchmarks
//
// Figures are recorded in docs/ledger.md.

/// The engines benchmarked: SQLite, and PostgreSQL when a database is named.
enum Engine: String, CaseIterable {
    case sqlite = "SQLite"
    case postgres = "PostgreSQL"

    static let postgresURL = ProcessInfo.processInfo.environment["SWITCHYARD_BENCH_POSTGRES_URL"]
    static var available: [Engine] { postgresURL == nil ? [.sqlite] : [.sqlite, .postgres] }
}

/// A fresh ledger file, or the PostgreSQL database, with its writer running, shared by one benchmark's
/// iterations.
final class LedgerFixture: Sendable {
    let directory: URL
    let database: LedgerDatabase?
    let postgres: PostgresLedger?
    let sink: LedgerEventSink
    let budgets: any BudgetStore
    /// Budgets with a limit on every scope: users lifetime and daily, keys and teams monthly.
    let scopedBudgets: any BudgetStore
    private let writer: Task<Void, any Error>
    private let counter = Atomic<Int>(0)

    init(engine: Engine, durability: LedgerConfiguration.Durability = .processCrash) async throws {
        directory = FileManager.default.temporaryDirectory
            .appending(path: "switchyard-ledger-bench-\(UUID().uuidString)", directoryHint: .isDirectory)
        let huge = MicroDollars(1_000_000_000_000_000)
        let scopedDefaults = BudgetDefaults(limits: [
            .user: [.lifetime: huge, .daily: huge], .key: [.monthly: huge], .team: [.monthly: huge],
        ])
        switch engine {
        case .sqlite:
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let database = try LedgerDatabase(
                path: directory.appending(path: "ledger.sqlite").path,
                configuration: LedgerConfiguration(durability: durability))
            self.database = database
            postgres = nil
            sink = LedgerEventSink(database: database)
            budgets = SQLiteBudgetStore(database: database, defaultLimit: huge)
            scopedBudgets = SQLiteBudgetStore(database: database, defaults: scopedDefaults)
        case .postgres:
            // A fresh server per run (the script above): rows of earlier runs would lengthen the window sums.
            let ledger = try await PostgresLedger.open(try PostgresLocation(url: Engine.postgresURL ?? ""))
            database = nil
            postgres = ledger
            sink = LedgerEventSink(ledger: ledger, instanceID: "bench")
            budgets = PostgresBudgetStore(
                ledger: ledger, instanceID: "bench", defaults: BudgetDefaults(userLifetimeLimit: huge))
            scopedBudgets = PostgresBudgetStore(ledger: ledger, instanceID: "bench", defaults: scopedDefaults)
        }
        let sink = sink
        writer = Task { try await sink.run() }
    }

    /// A number never handed out before, for unique request ids.
    func next() -> Int { counter.add(1, ordering: .relaxed).newValue }

    func shutdown() async {
        sink.finish()
        _ = try? await writer.value
        try? database?.close()
        await postgres?.close()
        try? FileManager.default.removeItem(at: directory)
    }
}

private let fixtures = Mutex<[String: LedgerFixture]>([:])

private func fixture(_ name: String) -> LedgerFixture {
    fixtures.withLock { $0[name]! }
}

private func register(
    _ name: String, engine: Engine, durability: LedgerConfiguration.Durability = .processCrash
) -> Benchmark.BenchmarkSetupHook {
    {
        let fixture = try await LedgerFixture(engine: engine, durability: durability)
        fixtures.withLock { $0[name] = fixture }
    }
}

private func unregister(_ name: String) -> Benchmark.BenchmarkTeardownHook {
    {
        if let fixture = fixtures.withLock({ $0.removeValue(forKey: name) }) { await fixture.shutdown() }
    }
}

private let startedAt = Date(timeIntervalSince1970: 1_750_000_000)

/// A finished provider call, as the router emits it: one new `attempts` row.
private func attempt(_ number: Int) -> RouterEvent {
    .attemptFinished(
        AttemptFinished(
            requestID: "req-\(number / 3)", seq: number % 3 + 1, tier: "primary", provider: "provider-\(number % 4)",
            model: "model-\(number % 7)", outcome: number % 10 == 0 ? .error : .success, isEscalation: false,
            httpStatus: number % 10 == 0 ? 503 : 200, errorCode: number % 10 == 0 ? "unavailable" : nil,
            errorMessage: number % 10 == 0 ? "upstream unavailable" : nil,
            usage: TokenUsage(promptTokens: 420, completionTokens: 137), cost: MicroDollars(Int64(number % 500 + 100)),
            latency: .milliseconds(number % 900 + 50), startedAt: startedAt.addingTimeInterval(Double(number) / 1000)))
}

/// CPU time of the calling thread: when the ledger's writer is idle a reservation runs entirely on it, so this is
/// the reservation's own cost, unaffected by other processes competing for the two cores (wall clock is not).
private let threadCPUTime = BenchmarkMetric.custom("Thread CPU time (ns)", polarity: .prefersSmaller)

/// Wall-clock latency of one operation, measured around the call itself.
private let operationLatency = BenchmarkMetric.custom("Latency per operation (ns)", polarity: .prefersSmaller)

extension Benchmark {
    /// Records one operation's latency and thread CPU time, from `start` (clock reading, thread CPU reading).
    fileprivate func record(since start: (ContinuousClock.Instant, Int)) {
        let elapsed = ContinuousClock.now - start.0
        let (seconds, attoseconds) = elapsed.components
        measurement(operationLatency, Int(seconds) * 1_000_000_000 + Int(attoseconds / 1_000_000_000))
        measurement(threadCPUTime, threadCPUNanoseconds() - start.1)
    }
}

private func threadCPUNanoseconds() -> Int {
    var time = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
    return time.tv_sec * 1_000_000_000 + time.tv_nsec
}

let benchmarks: @Sendable () -> Void = {
    let throughput = Benchmark.Configuration(
        metrics: [.wallClock, .throughput, .cpuTotal], timeUnits: .nanoseconds, scalingFactor: .kilo,
        maxDuration: .seconds(10), maxIterations: 1_000_000)

    for engine in Engine.available {
        // SQLite's names as before; PostgreSQL's start with its name.
        let prefix = engine == .sqlite ? "" : "PostgreSQL "
        benchmarks(engine, prefix: prefix, throughput: throughput)
    }
}

private func benchmarks(_ engine: Engine, prefix: String, throughput: Benchmark.Configuration) {
    // Emit 1,000 attempt rows, then wait until they are committed: sustained rows per second with group commit.
    let durabilities: [(String, LedgerConfiguration.Durability)] =
        engine == .sqlite
        ? [
            ("Ledger: attempt rows, group commit", .processCrash),
            ("Ledger: attempt rows, group commit, synchronous=FULL", .powerLoss),
        ] : [("Ledger: attempt rows, group commit", .processCrash)]
    for (base, durability) in durabilities {
        let name = prefix + base
        Benchmark(
            name, configuration: throughput,
            closure: { benchmark in
                let fixture = fixture(name)
                for _ in benchmark.scaledIterations {
                    fixture.sink.emit(attempt(fixture.next()))
                }
                try await fixture.sink.flush()
            },
            setup: register(name, engine: engine, durability: durability), teardown: unregister(name))
    }

    // A whole request as the router records it: received, started, finished, request finished; then flush.
    let requests = prefix + "Ledger: full requests (4 events each), flushed per request, 8 concurrent"
    Benchmark(
        requests,
        configuration: .init(
            metrics: [.wallClock, .throughput], timeUnits: .microseconds, scalingFactor: .one,
            maxDuration: .seconds(10), maxIterations: 1_000_000),
        closure: { benchmark in
            let fixture = fixture(requests)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        let id = "full-\(fixture.next())"
                        let sink = fixture.sink
                        sink.emit(
                            .requestReceived(
                                RequestReceived(
                                    requestID: id, userID: "user", route: "default", requestedModel: "auto",
                                    priority: nil, classification: .general, stream: false, at: startedAt)))
                        sink.emit(
                            .attemptStarted(
                                AttemptStarted(
                                    requestID: id, seq: 1, tier: "primary", provider: "p", model: "m",
                                    isEscalation: false, at: startedAt)))
                        sink.emit(attempt(fixture.next()))
                        sink.emit(
                            .requestFinished(
                                RequestFinished(
                                    requestID: id, userID: "user", status: .success, provider: "p", model: "m",
                                    usage: TokenUsage(promptTokens: 420, completionTokens: 137), cost: 300,
                                    latency: .milliseconds(120), errorCode: nil, attempts: 1, escalated: false,
                                    at: startedAt)))
                        try await sink.flush()
                    }
                }
                try await group.waitForAll()
            }
        },
        setup: register(requests, engine: engine), teardown: unregister(requests))

    // Budget admission: one transaction (SQLite: IMMEDIATE; PostgreSQL: scope rows locked) that checks the limit, appends a ledger row, updates budgets.
    // Each iteration makes 100 reservations in a row and records each one's latency and thread CPU time, so the
    // figures are per reservation and exclude the harness's per-iteration overhead.
    let latency = Benchmark.Configuration(
        metrics: [operationLatency, threadCPUTime], timeUnits: .microseconds, scalingFactor: .one,
        maxDuration: .seconds(10), maxIterations: 2_000)
    let reserve = prefix + "Budget: reserve (admission)"
    Benchmark(
        reserve, configuration: latency,
        closure: { benchmark in
            let fixture = fixture(reserve)
            for _ in 0..<100 {
                let number = fixture.next()
                let start = (ContinuousClock.now, threadCPUNanoseconds())
                blackHole(
                    try await fixture.budgets.reserve(
                        userID: "user-\(number % 100)", requestID: "reserve-\(number)", amount: 2_500))
                benchmark.record(since: start)
            }
        },
        setup: register(reserve, engine: engine), teardown: unregister(reserve))

    let reserveAndSettle = prefix + "Budget: reserve + settle"
    Benchmark(
        reserveAndSettle, configuration: latency,
        closure: { benchmark in
            let fixture = fixture(reserveAndSettle)
            for _ in 0..<100 {
                let number = fixture.next()
                let start = (ContinuousClock.now, threadCPUNanoseconds())
                let reservation = try await fixture.budgets.reserve(
                    userID: "user-\(number % 100)", requestID: "settle-\(number)", amount: 2_500)
                try await fixture.budgets.settle(reservation, actualCost: 1_234)
                benchmark.record(since: start)
            }
        },
        setup: register(reserveAndSettle, engine: engine), teardown: unregister(reserveAndSettle))

    let scoped = prefix + "Budget: reserve + settle, user + key + team, 4 limits"
    Benchmark(
        scoped, configuration: latency,
        closure: { benchmark in
            let fixture = fixture(scoped)
            for _ in 0..<100 {
                let number = fixture.next()
                let subject = BudgetSubject(
                    userID: "user-\(number % 100)", keyID: "\(number % 10)", team: "team-\(number % 3)")
                let start = (ContinuousClock.now, threadCPUNanoseconds())
                let reservation = try await fixture.scopedBudgets.reserve(
                    subject, requestID: "scoped-\(number)", amount: 2_500)
                try await fixture.scopedBudgets.settle(reservation, actualCost: 1_234)
                benchmark.record(since: start)
            }
        },
        setup: register(scoped, engine: engine), teardown: unregister(scoped))
}
