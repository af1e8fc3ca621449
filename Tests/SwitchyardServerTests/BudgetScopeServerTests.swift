import AsyncHTTPClient
import Foundation
import HTTPTypes
import Synchronization
import SwitchyardCore
import SwitchyardServer
import SwitchyardStore
import Testing

/// Budgets per user, key and team through a real socket: service keys, the budget state on every answer, the
/// 402 of each scope, and alerts posted to a webhook.
@Suite("Budget scopes over HTTP", .timeLimit(.minutes(1)))
struct BudgetScopeServerTests {
    static func chat(_ user: String? = nil, stream: Bool = false) -> String {
        var extra = #""max_tokens": 10"#
        if let user { extra += #", "user": "\#(user)""# }
        if stream { extra += #", "stream": true"# }
        return chatBody(extra: extra)
    }

    @Test func aServiceKeyBillsEachEndUserAndTheKeysBudgetCapsThemAll() async throws {
        try await withServer(try testConfig(simulatedYAML)) { server in
            let keys = APIKeyStore(database: server.database)
            let service = try await keys.createKey(userID: "shop", kind: .service, team: "shop-team")
            let bearer = ["authorization": "Bearer \(service.key)"]
            let keyID = String(service.record.id)

            // Each end user has a budget of their own: u1 runs out, u2 is unaffected.
            #expect(try await server.put("/budgets/user/u1", #"{"limit_usd": "0.000200"}"#).status == 200)
            var u1Answers = 0
            while true {
                let answer = try await server.post("/v1/chat/completions", Self.chat("u1"), headers: bearer)
                guard answer.status == 200 else {
                    #expect(answer.status == 402)
                    #expect(answer.json?["error"]?["budget"]?["scope"]?.string == "user")
                    #expect(answer.json?["error"]?["budget"]?["scope_id"]?.string == "u1")
                    break
                }
                u1Answers += 1
                #expect(answer[header: "x-switchyard-budget-scope"] == "user:lifetime")
                #expect(answer[header: "x-switchyard-budget-limit-usd"] == "0.000200")
                #expect(answer.json?["switchyard"]?["budget"]?["scope_id"]?.string == "u1")
                #expect(u1Answers < 50, "u1's budget never ran out")
            }
            #expect(u1Answers > 0)
            #expect(try await server.post("/v1/chat/completions", Self.chat("u2"), headers: bearer).status == 200)
            let users = try await server.ledger(
                "SELECT DISTINCT user_id FROM requests WHERE key_id = '\(keyID)' AND team = 'shop-team' ORDER BY 1")
            #expect(users.map { $0[0].description } == ["u1", "u2"])

            // The key's budget caps every user it names: once it is spent, a fresh user is refused too.
            let spent = try #require(
                try await server.get("/budgets/key/\(keyID)").json?["budgets"]?[0]?["spent_usd"]?.string)
            #expect(try await server.put("/budgets/key/\(keyID)", #"{"limit_usd": "\#(spent)"}"#).status == 200)
            let capped = try await server.post("/v1/chat/completions", Self.chat("u3"), headers: bearer)
            #expect(capped.status == 402)
            #expect(capped.json?["error"]?["budget"]?["scope"]?.string == "key")
            #expect(capped.json?["error"]?["budget"]?["scope_id"]?.string == keyID)
            #expect(capped.errorMessage?.contains("key '\(keyID)'") == true)

            // A user key cannot spend another user's budget.
            let u2Key = try await keys.createKey(userID: "u2")
            let before = try await server.get("/budgets/user/u1").json?["budgets"]?[0]?["spent_usd_micros"]?.int
            let refused = try await server.post(
                "/v1/chat/completions", Self.chat("u1"), headers: ["authorization": "Bearer \(u2Key.key)"])
            #expect(refused.status == 403)
            #expect(refused.errorCode == "user_not_allowed")
            #expect(try await server.get("/budgets/user/u1").json?["budgets"]?[0]?["spent_usd_micros"]?.int == before)
            #expect(try await server.runtime.budgets.verify().isEmpty)
        }
    }

    @Test func everyAnswerSaysTheTightestLimitAndWhenItResets() async throws {
        let config = try testConfig(simulatedYAML + "\nbudgets: {time_zone: UTC, users: {daily_usd: 0.50}}\n")
        try await withServer(config) { server in
            let answer = try await server.post("/v1/chat/completions", Self.chat("ann"))
            #expect(answer.status == 200)
            #expect(answer[header: "x-switchyard-budget-scope"] == "user:daily")
            #expect(answer[header: "x-switchyard-budget-limit-usd"] == "0.500000")
            let resetsAt = try #require(answer[header: "x-switchyard-budget-resets-at"])
            let reset = try #require(try? Date(resetsAt, strategy: .iso8601))
            #expect(reset > Date() && reset.timeIntervalSinceNow <= 86_400)
            let cost = try #require(answer[header: "x-switchyard-cost-usd"].flatMap { try? MicroDollars(parsing: $0) })
            let remaining = try #require(
                answer[header: "x-switchyard-budget-remaining-usd"].flatMap { try? MicroDollars(parsing: $0) })
            #expect(remaining == MicroDollars(500_000) - cost)
            #expect(answer.json?["switchyard"]?["budget"]?["resets_at"]?.string == resetsAt)

            // A stream says the same in its closing chunk.
            let (head, events) = try await server.openStream("/v1/chat/completions", Self.chat("ann", stream: true))
            #expect(head.status == 200)
            var reader = events
            let chunks = try await reader.rest()
            let closing = try #require(chunks.dropLast().last.flatMap(JSONValue.init(parsing:)))
            #expect(chunks.last == "[DONE]")
            let budget = try #require(closing["switchyard"]?["budget"])
            #expect(budget["scope"]?.string == "user" && budget["period"]?.string == "daily")
            #expect(budget["resets_at"]?.string == resetsAt)
            let streamed = try #require(budget["remaining_usd"]?.string.flatMap { try? MicroDollars(parsing: $0) })
            #expect(streamed < remaining)
        }
    }

    @Test func a402NamesTheTeamItsPeriodAndWhenItResets() async throws {
        try await withServer(try testConfig(simulatedYAML)) { server in
            let key = try await APIKeyStore(database: server.database).createKey(userID: "bo", team: "ops")
            let set = try await server.put("/budgets/team/ops", #"{"period": "monthly", "limit_usd": 0}"#)
            #expect(set.status == 200)
            // The team's lifetime figures (no lifetime limit), then its monthly limit.
            #expect(set.json?["budgets"]?.array?.compactMap { $0["period"]?.string } == ["lifetime", "monthly"])
            #expect(set.json?["budgets"]?[0]?["limit_usd"] == .null)
            let refused = try await server.post(
                "/v1/chat/completions", Self.chat(), headers: ["authorization": "Bearer \(key.key)"])
            #expect(refused.status == 402)
            let budget = try #require(refused.json?["error"]?["budget"])
            #expect(budget["scope"]?.string == "team" && budget["scope_id"]?.string == "ops")
            #expect(budget["period"]?.string == "monthly")
            let resetsAt = try #require(budget["resets_at"]?.string)
            #expect(resetsAt.hasSuffix("-01T00:00:00Z"), "the first of next month: \(resetsAt)")
            #expect(refused.errorMessage?.contains("team 'ops' (monthly)") == true)

            let bad = try await server.put("/budgets/planet/x", #"{"limit_usd": 1}"#)
            #expect(bad.status == 400)
            let badPeriod = try await server.put("/budgets/team/ops", #"{"period": "hourly", "limit_usd": 1}"#)
            #expect(badPeriod.status == 400)
            #expect(badPeriod.errorMessage?.contains("lifetime, daily, weekly or monthly") == true)
            let removed = try await server.put("/budgets/team/ops", #"{"period": "monthly", "limit_usd": null}"#)
            #expect(removed.json?["budgets"]?.array?.compactMap { $0["period"]?.string } == ["lifetime"])
            #expect(
                try await server.post(
                    "/v1/chat/completions", Self.chat(), headers: ["authorization": "Bearer \(key.key)"]
                ).status == 200)
        }
    }

    @Test func aCrossedThresholdIsPostedToTheWebhookOnce() async throws {
        let answered = Mutex(0)
        try await withFakeUpstream({ _ in
            // The first delivery fails: the alert is kept and sent again.
            let attempt = answered.withLock { count in
                count += 1
                return count
            }
            return attempt == 1 ? OpenAIReply.error(.internalServerError) : OpenAIReply.json("{}")
        }) { webhook in
            let config = try testConfig(
                simulatedYAML + """

                    budgets:
                      default_limit_usd: 0.000100
                      alerts: {thresholds_percent: [50], webhook_url: "\(webhook.baseURL)/chat/completions"}
                    """)
            try await withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("ledger.sqlite").path
            try await withServer(config, databasePath: path) { server in
                while try await server.post("/v1/chat/completions", Self.chat("zed")).status == 200 {}
                let alerts = BudgetAlertStore(database: server.database)
                try await waitUntil("the alert is recorded") { try await !alerts.list().isEmpty }
                let notifier = try #require(server.runtime.alertNotifier)
                // The notifier's own retry waits a second; deliver again now instead of waiting.
                try await waitUntil("the alert is delivered") {
                    await notifier.deliverUnsent()
                    return try await alerts.unsent().isEmpty
                }
                let recorded = try await alerts.list()
                #expect(recorded.count == 1)
                #expect(recorded.first?.sentAt != nil && recorded.first?.thresholdPercent == 50)
                let posts = webhook.requests
                #expect(posts.count == 2)
                #expect(Set(posts.map { $0.headers["idempotency-key"] }) == ["budget-alert-\(recorded[0].id)"])
                let body = try #require(posts.last?.json)
                #expect(body["type"]?.string == "budget.threshold_reached")
                #expect(body["scope"]?.string == "user" && body["scope_id"]?.string == "zed")
                #expect(body["limit_usd"]?.string == "0.000100")
                #expect(await notifier.deliverUnsent())
                #expect(webhook.hits == 2)
                let listed = try await server.get("/budgets/alerts")
                #expect(listed.json?["alerts"]?[0]?["threshold_percent"]?.int == 50)
            }
            // After a restart on the same ledger, nothing is sent again: more refused requests, no new alert.
            try await withServer(config, databasePath: path) { server in
                #expect(try await server.post("/v1/chat/completions", Self.chat("zed")).status == 402)
                let notifier = try #require(server.runtime.alertNotifier)
                #expect(await notifier.deliverUnsent())
                #expect(try await BudgetAlertStore(database: server.database).list().count == 1)
                #expect(webhook.hits == 2)
            }
            }
        }
    }
}

extension BudgetScopeServerTests {
    @Test func moreUnsentAlertsThanOnePageAreAllDeliveredInOneRound() async throws {
        try await withFakeUpstream({ _ in OpenAIReply.json("{}") }) { webhook in
            try await withServer(try testConfig(simulatedYAML)) { server in
                // 250 users each reach half of their $0.0001.
                let budgets = SQLiteBudgetStore(
                    database: server.database, defaults: BudgetDefaults(userLifetimeLimit: 100),
                    alertThresholds: [50])
                for index in 0..<250 {
                    let reservation = try await budgets.reserve(userID: "u\(index)", requestID: "r\(index)", amount: 60)
                    try await budgets.settle(reservation, actualCost: 60)
                }
                let client = HTTPClient(eventLoopGroupProvider: .singleton)
                let alerts = BudgetAlertStore(database: server.database)
                let notifier = BudgetAlertNotifier(
                    alerts: alerts, recorded: LedgerSignal(), webhookURL: "\(webhook.baseURL)/chat/completions",
                    client: client)
                let delivered = await notifier.deliverUnsent()
                try await client.shutdown()
                #expect(delivered)
                #expect(webhook.hits == 250)
                #expect(try await alerts.unsent().isEmpty)
            }
        }
    }
}

@Suite("Downgrade ladder", .timeLimit(.minutes(1)))
struct DowngradeTests {
    static let yaml = """
        providers:
          - name: strong
            kind: simulated
            models: [{name: strong-1, input_usd_per_mtok: 10.00, output_usd_per_mtok: 10.00}]
            simulated: {latency_ms: 0}
          - name: cheap
            kind: simulated
            models: [{name: cheap-1, input_usd_per_mtok: 0.10, output_usd_per_mtok: 0.10}]
            simulated: {latency_ms: 0}
        routes:
          - name: default
            tiers:
              - {name: best, targets: [strong/strong-1]}
              - {name: thrifty, targets: [cheap/cheap-1]}
            downgrade: {below_usd: 0.000500, tier: thrifty}
        """

    static func chat(_ user: String, maxTokens: Int) -> String {
        chatBody(extra: #""user": "\#(user)", "max_tokens": \#(maxTokens)"#)
    }

    @Test func aLowBudgetIsServedByTheCheaperTierInsteadOfRefused() async throws {
        try await withServer(try testConfig(Self.yaml)) { server in
            #expect(try await server.put("/budgets/user/ann", #"{"limit_usd": "0.002000"}"#).status == 200)
            var providers: [String] = []
            var downgradedIDs: [String] = []
            while providers.count < 200 {
                let answer = try await server.post("/v1/chat/completions", Self.chat("ann", maxTokens: 10))
                guard answer.status == 200 else {
                    // Even the cheaper tier no longer fits: refused, as without a ladder.
                    #expect(answer.status == 402)
                    break
                }
                let provider = try #require(answer[header: "x-switchyard-provider"])
                providers.append(provider)
                if provider == "cheap" {
                    #expect(answer[header: "x-switchyard-downgraded"] == "thrifty")
                    #expect(answer.json?["switchyard"]?["downgraded"]?.bool == true)
                    downgradedIDs.append(try #require(answer[header: "x-switchyard-request-id"]))
                } else {
                    #expect(answer[header: "x-switchyard-downgraded"] == nil)
                    #expect(answer.json?["switchyard"]?["downgraded"] == nil)
                }
            }
            // The strong tier first, then only the cheap one once less than $0.0005 was left.
            let firstCheap = try #require(providers.firstIndex(of: "cheap"))
            #expect(firstCheap > 0)
            #expect(providers[firstCheap...].allSatisfy { $0 == "cheap" })
            let events = try await server.ledger(
                "SELECT reason, tier FROM request_events WHERE kind = 'downgraded' AND request_id = '\(downgradedIDs[0])'")
            #expect(events.map { $0.map(\.description) } == [["budget_low", "thrifty"]])
            #expect(try await server.runtime.budgets.verify().isEmpty)
        }
    }

    @Test func aRequestWhoseWorstCaseNoLongerFitsIsDowngradedToo() async throws {
        try await withServer(try testConfig(Self.yaml)) { server in
            // $0.0006 left is above the ladder's threshold, but the strong tier's worst case for 100 tokens is not.
            #expect(try await server.put("/budgets/user/bea", #"{"limit_usd": "0.000600"}"#).status == 200)
            let answer = try await server.post("/v1/chat/completions", Self.chat("bea", maxTokens: 100))
            #expect(answer.status == 200)
            #expect(answer[header: "x-switchyard-provider"] == "cheap")
            #expect(answer[header: "x-switchyard-downgraded"] == "thrifty")
            let id = try #require(answer[header: "x-switchyard-request-id"])
            let events = try await server.ledger(
                "SELECT reason FROM request_events WHERE kind = 'downgraded' AND request_id = '\(id)'")
            #expect(events.map { $0.map(\.description) } == [["budget_exceeded"]])
        }
    }

    @Test func aLadderNamingAnUnknownTierIsAConfigError() throws {
        #expect {
            _ = try testConfig(Self.yaml.replacingOccurrences(of: "tier: thrifty}", with: "tier: thrify}"))
        } throws: { error in
            "\(error)".contains("routes[0].downgrade.tier") && "\(error)".contains("did you mean 'thrifty'")
        }
    }
}
