import Foundation
import Synchronization
import Testing

/// Runs `body(0..<count)` with at most `width` running at once; results in index order.
func concurrently<T: Sendable>(
    _ count: Int, width: Int, _ body: @escaping @Sendable (Int) async -> T
) async -> [T] {
    await withTaskGroup(of: (Int, T).self) { group in
        var results = [T?](repeating: nil, count: count)
        var next = 0
        while next < min(width, count) {
            let index = next
            group.addTask { (index, await body(index)) }
            next += 1
        }
        while let (index, result) = await group.next() {
            results[index] = result
            if next < count {
                let index = next
                group.addTask { (index, await body(index)) }
                next += 1
            }
        }
        return results.map { $0! }
    }
}

/// `body`'s result or error.
func attempt<T: Sendable>(_ body: () async throws -> T) async -> Result<T, any Error> {
    do { return .success(try await body()) } catch { return .failure(error) }
}

/// What one client of a load test does: stream or not, and whether (and when) it hangs up.
struct ClientPlan: Sendable {
    var stream: Bool
    var hangUp: HangUp

    /// `count` plans drawn from `seed`: half streamed, about `hangUpShare` hanging up at a random moment.
    static func draw(_ count: Int, seed: UInt64, hangUpShare: Double) -> [ClientPlan] {
        var random = SeededRandom(seed: seed)
        return (0..<count).map { _ in
            let stream = Bool.random(using: &random)
            guard Double.random(in: 0..<1, using: &random) < hangUpShare else {
                return ClientPlan(stream: stream, hangUp: .never)
            }
            if stream { return ClientPlan(stream: true, hangUp: .afterEvents(Int.random(in: 1...3, using: &random))) }
            return ClientPlan(stream: false, hangUp: .after(.milliseconds(Int.random(in: 2...40, using: &random))))
        }
    }

    var isHangUp: Bool {
        if case .never = hangUp { return false }
        return true
    }
}

/// The spending tests' provider `shop`: 6 completion words per answer with a little latency that varies by call,
/// ~$0.0061 per answer (12 × $10 + 60 × $100 per million tokens) and ~$0.0105 reserved (100 tokens).
func shopConfig(_ upstream: FakeUpstream, budgets: String) -> String {
    upstream.script("shop") { call, request in
        .answer(request, "one two three four five six", usage: (12, 60), gap: .milliseconds(call * 7919 % 20))
    }
    return baseConfig(
        """
        \(budgets)
        providers:
          - name: shop
            kind: openai
            base_url: \(upstream.baseURL("shop"))
            models:
              - {name: m, input_usd_per_mtok: 10.00, output_usd_per_mtok: 100.00, max_output_tokens: 100}
            timeout: {connect_ms: 1000, first_byte_ms: 5000, idle_ms: 5000, total_ms: 10000}
        """)
}

extension Reliability {
    @Suite("Concurrent spending from one budget", .timeLimit(.minutes(2)))
    struct ConcurrentSpendingTests {
        static let requests = 300
        static let concurrency = 32
        static let seed: UInt64 = 0x5EED_0009

        // The $1.00 limit binds after about 160 answers.
        @Test("300 concurrent requests against $1.00, streamed and not, clients hanging up at random: spend ≤ limit")
        func concurrentSpending() async throws {
            try await Stage.run(
                "concurrent-spending",
                config: { upstream in shopConfig(upstream, budgets: "budgets: {default_limit_usd: 1.00}") }
            ) { stage in
                let plans = ClientPlan.draw(Self.requests, seed: Self.seed, hangUpShare: 0.15)
                let port = stage.port
                let answers = await concurrently(Self.requests, width: Self.concurrency) { index in
                    let plan = plans[index]
                    return await attempt {
                        try await RawHTTP.post(
                            port: port, json: chatBody("spend \(index)", user: "spender", stream: plan.stream),
                            hangUp: plan.hangUp, timeout: .seconds(30))
                    }
                }
                var ok = 0
                var refused = 0
                var hungUp = 0
                var wrong: [String] = []
                for (index, result) in answers.enumerated() {
                    switch result {
                    case .success(let answer) where answer.hungUp: hungUp += 1
                    case .success(let answer) where answer.status == 200:
                        ok += 1
                        if plans[index].stream, !answer.isDone {
                            wrong.append("#\(index) stream without [DONE]: \(answer)")
                        }
                    case .success(let answer) where answer.status == 402 && answer.errorCode == "budget_exceeded":
                        refused += 1
                    case .success(let answer): wrong.append("#\(index): \(answer)")
                    case .failure(let error): wrong.append("#\(index): no answer: \(error)")
                    }
                }
                #expect(
                    wrong.isEmpty,
                    "\(wrong.count) answers other than 200 or 402:\n\(wrong.prefix(10).joined(separator: "\n"))")
                #expect(ok > 0 && refused > 0, "the limit must bind: \(ok) answered, \(refused) refused")
                #expect(await stage.isAlive(), "\(stage.postmortem)")

                try await stage.waitUntilSettled(timeout: .seconds(30))
                let rows = try stage.ledger.requests(user: "spender")
                #expect(rows.count == Self.requests)
                let statuses = Set(rows.map(\.status))
                #expect(statuses.isSubset(of: ["success", "rejected_budget", "cancelled"]), "\(statuses)")
                let budget = try stage.ledger.budget("spender")
                #expect(budget.spent <= 1_000_000, "settled spend \(budget.spent) µ$ passed the $1.00 limit")
                #expect(budget.reserved == 0, "reservations left: \(budget.reserved)")
                #expect(rows.map(\.costMicros).reduce(0, +) == budget.spent, "spent equals what the requests cost")
                let verify = try await Switchyard.run(
                    ["budget", "verify", "--config", stage.configPath, "--db", stage.databasePath])
                #expect(verify.status == 0, "\(verify)")
                print(
                    "concurrent spending: \(ok) answered, \(refused) refused (402), \(hungUp) hung up; spent \(budget.spent) µ$"
                )
                Figures.record(
                    "concurrent-spending", ["concurrent_spenders": Self.requests, "requests_under_faults": hungUp])
            }
        }
    }
}
