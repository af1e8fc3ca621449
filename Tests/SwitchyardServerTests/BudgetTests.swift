import Foundation
import HTTPTypes
import SwitchyardCore
import SwitchyardServer
import SwitchyardStore
import Testing

@Suite("Budgets: 402 and the budget endpoints", .timeLimit(.minutes(1)))
struct BudgetTests {
    @Test func spentBudgetGets402AndNothingGoesUpstream() async throws {
        try await withFakeUpstream({ _ in OpenAIReply.answer() }) { upstream in
            try await withServer(try Configs.primaryOnly(upstream)) { server in
                let first = try await server.post("/v1/chat/completions", chatBody(extra: #""user": "carol""#))
                #expect(first.status == 200)
                #expect(upstream.hits == 1)

                let before = try await server.get("/users/carol/budget")
                #expect(before.status == 200)
                #expect(before.json?["spent_usd_micros"]?.int == 20)
                #expect(before.json?["limit_usd"]?.number == 1.0)

                // Set the limit to what carol has already spent.
                let set = try await server.put("/users/carol/budget", #"{"limit_usd": 0.00002}"#)
                #expect(set.status == 200)
                #expect(set.json?["limit_usd_micros"]?.int == 20)
                #expect(set.json?["remaining_usd"]?.number == 0)

                let refused = try await server.post("/v1/chat/completions", chatBody(extra: #""user": "carol""#))
                #expect(refused.status == 402)
                #expect(refused.errorCode == "budget_exceeded")
                #expect(refused.json?["error"]?["type"]?.string == "budget_exceeded")
                let budget = try #require(refused.json?["error"]?["budget"])
                #expect(budget["limit_usd"]?.number == 0.00002)
                #expect(budget["spent_usd"]?.number == 0.00002)
                #expect(budget["remaining_usd"]?.number == 0)
                #expect(budget["user"]?.string == "carol")
                let message = try #require(refused.errorMessage)
                #expect(message.contains("carol"))
                #expect(message.contains("$0.000000 left of a $0.000020 budget"))

                // A stream gets the same 402 as a status, not as an event.
                let (streamHead, _) = try await server.openStream(
                    "/v1/chat/completions", chatBody(extra: #""user": "carol", "stream": true"#))
                #expect(streamHead.status == 402)
                // And so does the simple API.
                let simple = try await server.post("/chat/completions", #"{"prompt": "hi", "user_id": "carol"}"#)
                #expect(simple.status == 402)

                #expect(upstream.hits == 1)
                let rejected = try await server.ledger(
                    "SELECT count(*) FROM requests WHERE user_id = 'carol' AND status = 'rejected_budget'")
                #expect(rejected.first?.first?.description == "3")
                let attempts = try await server.ledger(
                    "SELECT count(*) FROM attempts JOIN requests ON requests.id = attempts.request_id WHERE user_id = 'carol'")
                #expect(attempts.first?.first?.description == "1")

                // Other users are not affected.
                #expect(try await server.post("/v1/chat/completions", chatBody(extra: #""user": "dave""#)).status == 200)
            }
        }
    }

    @Test func configuredDefaultLimitApplies() async throws {
        let config = try testConfig(simulatedYAML + "\nbudgets: {default_limit_usd: 0}\n")
        try await withServer(config) { server in
            let refused = try await server.post("/v1/chat/completions", chatBody())
            #expect(refused.status == 402)
            #expect(refused.json?["error"]?["budget"]?["user"]?.string == "anonymous")
            #expect(refused.json?["error"]?["budget"]?["limit_usd"]?.number == 0)
        }
    }

    @Test func budgetLimitIsValidated() async throws {
        try await withServer(try testConfig(simulatedYAML)) { server in
            for body in [#"{"limit_usd": -1}"#, #"{"limit_usd": "five"}"#, #"{}"#, "[]", "not json"] {
                let response = try await server.put("/users/erin/budget", body)
                #expect(response.status == 400, "\(body)")
                #expect(response.errorCode != nil, "\(body)")
            }
        }
    }
}
