import Foundation
import HTTPTypes
import SwitchyardCore
import SwitchyardStore
import Synchronization
@testable import SwitchyardServer
import Testing

/// `GET /metrics` through a real socket: every gauge there with its start value before any traffic, the values moving
/// with a success, a failover that opens a breaker and a budget refusal, a breaker restored from the ledger showing
/// from the first scrape, and the documented table naming exactly the metrics served.
@Suite("Metrics", .timeLimit(.minutes(1)))
struct MetricsTests {
    /// `primary` at `upstream` (its breaker opens at the first failure and stays open for `recoveryMs`), failing over
    /// to the simulated `backup`; `spare` is configured but in no route.
    static func config(_ upstream: FakeUpstream, recoveryMs: Int = 600_000) throws -> SwitchyardConfig {
        let breaker =
            ", circuit_breaker: {failure_threshold: 1, recovery_timeout_ms: \(recoveryMs), "
            + "max_recovery_timeout_ms: \(max(recoveryMs, 600_000))}"
        return try testConfig(
            """
            providers:
            \(Configs.openAI("primary", upstream, extra: breaker))
            \(Configs.simulated("backup"))
            \(Configs.simulated("spare"))
            routes:
              - name: default
                tiers:
                  - {name: first, targets: [primary/gpt-test]}
                  - {name: second, targets: [backup/sim-1]}
            """)
    }

    static let providers = ["primary", "backup", "spare"]

    /// A failover that opens `primary`'s breaker, a request that skips it, and one refused by a user's budget.
    static func traffic(_ server: TestServer, _ upstream: FakeUpstream) async throws {
        let failover = try await server.post("/v1/chat/completions", chatBody())
        #expect(failover.status == 200)
        #expect(failover[header: "x-switchyard-provider"] == "backup")
        let skipped = try await server.post("/v1/chat/completions", chatBody())
        #expect(skipped.status == 200)
        #expect(upstream.hits == 1, "the open breaker kept the second request away from primary")
        #expect(try await server.put("/budgets/user/broke", #"{"limit_usd": "0.000001"}"#).status == 200)
        let refused = try await server.post("/v1/chat/completions", chatBody(extra: #""user": "broke""#))
        #expect(refused.status == 402)
    }

    @Test func everyGaugeHasItsStartValueBeforeAnyTrafficThenMovesWithIt() async throws {
        try await withFakeUpstream({ _ in OpenAIReply.error(.serviceUnavailable) }) { upstream in
            try await withServer(try Self.config(upstream)) { server in
                let start = try await server.scrape()
                #expect(start.samples("switchyard_breaker_state").count == Self.providers.count)
                for provider in Self.providers {
                    #expect(start.value("switchyard_breaker_state", ["provider": provider]) == 0, "\(provider)")
                }
                #expect(start.value("switchyard_queue_length") == 0)
                #expect(start.value("switchyard_requests_in_flight") == 0)
                #expect(start.value("switchyard_ledger_pending_events") == 0)
                #expect(start.value("switchyard_ledger_writable") == 1)
                for scope in BudgetScope.allCases {
                    #expect(start.value("switchyard_budget_reservations_refused_total", ["scope": scope.rawValue]) == 0)
                }
                for outcome in ["committed", "failed", "rejected"] {
                    #expect(start.value("switchyard_ledger_commit_duration_seconds_count", ["outcome": outcome]) != nil)
                }
                #expect(start.value("switchyard_ledger_commit_batch_size_count") != nil)
                let committedAtStart = start.value(
                    "switchyard_ledger_commit_duration_seconds_count", ["outcome": "committed"]) ?? 0
                #expect(start.families["switchyard_requests_total"] == nil, "no request yet")

                try await Self.traffic(server, upstream)

                let after = try await server.scrape()
                #expect(after.value("switchyard_breaker_state", ["provider": "primary"]) == 2)
                #expect(after.value("switchyard_breaker_state", ["provider": "backup"]) == 0)
                #expect(after.value("switchyard_breaker_state", ["provider": "spare"]) == 0)
                #expect(after.value("switchyard_requests_total", ["status": "success"]) == 2)
                #expect(after.value("switchyard_requests_total", ["status": "rejected_budget"]) == 1)
                #expect(after.value("switchyard_attempts_total", ["provider": "primary", "outcome": "error"]) == 1)
                #expect(after.value("switchyard_attempts_total", ["provider": "backup", "outcome": "success"]) == 2)
                #expect(after.value("switchyard_skips_total", ["provider": "primary", "reason": "breaker_open"]) == 1)
                #expect(after.value("switchyard_budget_reservations_refused_total", ["scope": "user"]) == 1)
                #expect(after.value("switchyard_budget_reservations_refused_total", ["scope": "key"]) == 0)
                #expect(after.value("switchyard_budget_reservations_refused_total", ["scope": "team"]) == 0)
                // Every answer waited for its record: nothing is queued, nothing is routed, the ledger writes.
                #expect(after.value("switchyard_queue_length") == 0)
                #expect(after.value("switchyard_requests_in_flight") == 0)
                #expect(after.value("switchyard_ledger_pending_events") == 0)
                #expect(after.value("switchyard_ledger_writable") == 1)

                let committed = try #require(
                    after.value("switchyard_ledger_commit_duration_seconds_count", ["outcome": "committed"]))
                #expect(committed > committedAtStart)
                #expect(after.value("switchyard_ledger_commit_duration_seconds_sum", ["outcome": "committed"]) ?? 0 > 0)
                #expect(after.value("switchyard_ledger_commit_duration_seconds_count", ["outcome": "failed"]) == 0)
                #expect(after.value("switchyard_ledger_commit_duration_seconds_count", ["outcome": "rejected"]) == 0)
                #expect(after.value("switchyard_ledger_commit_batch_size_count") == committed)
                // At least the three requests' received and finished events, two attempts each at most, a reservation
                // and a settlement per request.
                #expect(after.value("switchyard_ledger_commit_batch_size_sum") ?? 0 >= 6)
                let rows = try await server.ledger("SELECT count(*) FROM requests")
                #expect(rows.first?.first?.description == "3")
            }
        }
    }

    @Test func queueLengthAndRequestsInFlightFollowAWaitingRequest() async throws {
        let config = try testConfig(
            """
            providers:
            \(Configs.simulated("only"))
            queue: {max_length: 1, max_wait_ms: 30000}
            """)
        try await withServer(config) { server in
            #expect(try await server.post("/simulate/failure", #"{"provider": "only", "down": true}"#).status == 200)
            async let waiting = server.post("/v1/chat/completions", chatBody())
            try await waitUntil("the scrape shows a request in the queue") {
                try await server.scrape().value("switchyard_queue_length") == 1
            }
            let during = try await server.scrape()
            #expect(during.value("switchyard_requests_in_flight") == 1)

            #expect(try await server.post("/simulate/failure", #"{"provider": "only", "down": false}"#).status == 200)
            #expect(try await waiting.status == 200)
            let after = try await server.scrape()
            #expect(after.value("switchyard_queue_length") == 0)
            #expect(after.value("switchyard_requests_in_flight") == 0)
            #expect(after.value("switchyard_requests_total", ["status": "success"]) == 1)
        }
    }

    /// The breaker state recorded by the last run is the state of the first scrape: still open while its recovery
    /// time-out runs, half-open once it has passed.
    @Test(arguments: [(600_000, 2.0), (1, 1.0)])
    func aBreakerRestoredFromTheLedgerShowsFromTheFirstScrape(recoveryMs: Int, expected: Double) async throws {
        try await withFakeUpstream({ _ in OpenAIReply.error(.serviceUnavailable) }) { upstream in
            let config = try Self.config(upstream, recoveryMs: recoveryMs)
            try await withTemporaryDirectory { directory in
                let path = directory.appendingPathComponent("ledger.sqlite").path
                try await withServer(config, databasePath: path) { server in
                    #expect(try await server.post("/v1/chat/completions", chatBody()).status == 200)
                    let recorded = try await server.ledger("SELECT to_state FROM breaker_transitions")
                    #expect(recorded.map { $0.map(\.description) } == [["open"]])
                }
                try await Task.sleep(for: .milliseconds(recoveryMs < 1000 ? 20 : 0))
                try await withServer(config, databasePath: path) { server in
                    let start = try await server.scrape()
                    #expect(start.value("switchyard_breaker_state", ["provider": "primary"]) == expected)
                    #expect(start.value("switchyard_breaker_state", ["provider": "backup"]) == 0)
                    #expect(start.value("switchyard_breaker_state", ["provider": "spare"]) == 0)
                }
            }
        }
    }

    @Test func theDocumentedTableNamesExactlyTheMetricsServedWithTheirTypesAndLabels() async throws {
        let documented = try Self.documentedMetrics()
        #expect(!documented.isEmpty, "no metrics table found in docs/http-api.md")
        try await withFakeUpstream({ _ in OpenAIReply.error(.serviceUnavailable) }) { upstream in
            try await withServer(try Self.config(upstream)) { server in
                try await Self.traffic(server, upstream)
                let scrape = try await server.scrape()
                let served = Set(scrape.families.keys)
                #expect(served.subtracting(documented.keys).sorted() == [], "served but not in docs/http-api.md")
                #expect(Set(documented.keys).subtracting(served).sorted() == [], "documented but not served")
                for (name, family) in scrape.families {
                    guard let entry = documented[name] else { continue }
                    #expect(family.type == entry.type, "\(name)")
                    #expect(family.labelNames == entry.labels, "\(name)")
                    #expect(family.help?.isEmpty == false, "\(name) has no HELP")
                }
            }
        }
    }

    /// The rows of the metrics table of docs/http-api.md: name → type and label names.
    static func documentedMetrics() throws -> [String: (type: String, labels: Set<String>)] {
        let text = try String(contentsOfFile: ConfigFixtures.repositoryFile("docs/http-api.md"), encoding: .utf8)
        let section = try #require(text.range(of: "## GET /metrics\n"))
        let end = text.range(of: "\n## ", range: section.upperBound..<text.endIndex)?.lowerBound ?? text.endIndex
        var metrics: [String: (type: String, labels: Set<String>)] = [:]
        for line in text[section.upperBound..<end].split(separator: "\n") where line.hasPrefix("| `switchyard_") {
            let cells = line.split(separator: "|", omittingEmptySubsequences: false).map {
                $0.trimmingCharacters(in: .whitespaces)
            }
            // "", name, type, labels, meaning, ""
            #expect(cells.count == 6, "\(line)")
            guard cells.count == 6 else { continue }
            let name = cells[1].trimmingCharacters(in: CharacterSet(charactersIn: "`"))
            let labels = cells[3] == "none" ? [] : Set(cells[3].split(separator: ",").map {
                $0.trimmingCharacters(in: CharacterSet(charactersIn: "` "))
            })
            #expect(metrics[name] == nil, "\(name) is documented twice")
            metrics[name] = (cells[2], labels)
        }
        return metrics
    }
}

/// ``SwitchyardMetrics`` on its own: what a sample and the hooks turn into.
@Suite("Metrics rendering")
struct MetricsRenderingTests {
    static func health(writable: Bool, pending: Int) -> LedgerWriterHealth {
        LedgerWriterHealth(
            isWritable: writable, unwritableSince: writable ? nil : Date(), lastError: nil, lastErrorAt: nil,
            pendingEvents: pending, maxPendingEvents: 100, droppedEvents: 0)
    }

    @Test func aSampleSetsTheGaugesAndTheHooksCount() throws {
        let metrics = SwitchyardMetrics(providers: ["a", "b", "c"])
        // The event sink shares the registry without a clash of names or help texts.
        let events = MetricsEventSink(forwardingTo: InMemoryEventSink(), registry: metrics.registry)
        events.emit(
            .requestFinished(
                RequestFinished(
                    requestID: "r1", userID: "ann", status: .success, provider: "a", model: "m", usage: .zero,
                    cost: 12, latency: .milliseconds(30), errorCode: nil, attempts: 1, escalated: false, at: Date())))
        metrics.record(LedgerCommitReport(writes: 3, duration: .milliseconds(4), outcome: .committed))
        metrics.record(LedgerCommitReport(writes: 5, duration: .milliseconds(40), outcome: .failed))
        metrics.recordRefusal(scope: .team)
        metrics.recordRefusal(scope: .team)

        let scrape = try PrometheusText(
            parsing: metrics.render(
                SwitchyardMetrics.Sample(
                    breakerStates: ["a": .open, "b": .halfOpen, "c": .closed], queueLength: 3, requestsInFlight: 5,
                    ledger: Self.health(writable: false, pending: 42))))
        #expect(scrape.value("switchyard_breaker_state", ["provider": "a"]) == 2)
        #expect(scrape.value("switchyard_breaker_state", ["provider": "b"]) == 1)
        #expect(scrape.value("switchyard_breaker_state", ["provider": "c"]) == 0)
        #expect(scrape.value("switchyard_queue_length") == 3)
        #expect(scrape.value("switchyard_requests_in_flight") == 5)
        #expect(scrape.value("switchyard_ledger_pending_events") == 42)
        #expect(scrape.value("switchyard_ledger_writable") == 0)
        #expect(scrape.value("switchyard_ledger_commit_duration_seconds_count", ["outcome": "committed"]) == 1)
        #expect(scrape.value("switchyard_ledger_commit_duration_seconds_count", ["outcome": "failed"]) == 1)
        #expect(scrape.value("switchyard_ledger_commit_duration_seconds_count", ["outcome": "rejected"]) == 0)
        let durations = "switchyard_ledger_commit_duration_seconds"
        #expect(scrape.bucket(durations, ["outcome": "committed"], upperBound: 0.002) == 0)
        #expect(scrape.bucket(durations, ["outcome": "committed"], upperBound: 0.005) == 1)
        #expect(scrape.bucket(durations, ["outcome": "failed"], upperBound: 0.025) == 0)
        #expect(scrape.bucket(durations, ["outcome": "failed"], upperBound: 0.05) == 1)
        #expect(scrape.bucket(durations, ["outcome": "failed"], upperBound: .infinity) == 1)
        // Only committed transactions have a size.
        #expect(scrape.value("switchyard_ledger_commit_batch_size_count") == 1)
        #expect(scrape.value("switchyard_ledger_commit_batch_size_sum") == 3)
        #expect(scrape.value("switchyard_budget_reservations_refused_total", ["scope": "team"]) == 2)
        #expect(scrape.value("switchyard_budget_reservations_refused_total", ["scope": "user"]) == 0)
        #expect(scrape.value("switchyard_requests_total", ["status": "success"]) == 1)
        #expect(scrape.value("switchyard_spend_usd_micros_total", ["provider": "a"]) == 12)
        #expect(scrape.families["switchyard_breaker_state"]?.type == "gauge")
        #expect(scrape.families["switchyard_ledger_commit_duration_seconds"]?.type == "histogram")

        let recovered = try PrometheusText(
            parsing: metrics.render(
                SwitchyardMetrics.Sample(
                    breakerStates: ["a": .closed], queueLength: 0, requestsInFlight: 0,
                    ledger: Self.health(writable: true, pending: 0))))
        #expect(recovered.value("switchyard_breaker_state", ["provider": "a"]) == 0)
        #expect(recovered.value("switchyard_ledger_writable") == 1)
        #expect(recovered.value("switchyard_ledger_pending_events") == 0)
    }

    @Test func theRoutersBudgetsReportTheScopeOfEveryRefusal() async throws {
        let base = InMemoryBudgetStore()
        base.setLimit(100, for: .user, "ann", period: .lifetime)
        base.setLimit(1_000, for: .team, "ops", period: .lifetime)
        let refused = RefusedScopes()
        let budgets = RefusalReportingBudgetStore(base: base, onRefusal: { refused.append($0) })
        let subject = BudgetSubject(userID: "ann", keyID: "7", team: "ops")

        let reservation = try await budgets.reserve(subject, requestID: "r1", amount: 60)
        #expect(refused.all == [])
        await #expect(throws: BudgetExceededError.self) {
            try await budgets.reserve(subject, requestID: "r2", amount: 60)
        }
        #expect(refused.all == [.user])
        await #expect(throws: BudgetExceededError.self) { try await budgets.extend(reservation, by: 50) }
        #expect(refused.all == [.user, .user])
        let extended = try await budgets.extend(reservation, by: 40)
        #expect(extended.amount == 100)
        try await budgets.settle(extended, actualCost: 10)
        #expect(try await budgets.statuses(of: subject).first?.spent == 10)

        let teamMate = BudgetSubject(userID: "bob", keyID: "8", team: "ops")
        await #expect(throws: BudgetExceededError.self) {
            try await budgets.reserve(teamMate, requestID: "r3", amount: 995)
        }
        #expect(refused.all == [.user, .user, .team])
    }

    final class RefusedScopes: Sendable {
        private let storage = Mutex<[BudgetScope]>([])
        var all: [BudgetScope] { storage.withLock { $0 } }
        func append(_ scope: BudgetScope) { storage.withLock { $0.append(scope) } }
    }
}
