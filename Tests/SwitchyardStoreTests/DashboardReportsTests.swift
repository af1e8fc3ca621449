import Foundation
import SwitchyardCore
import Testing

@testable import SwitchyardStore

/// The reports the dashboard draws besides costs and reliability, on both engines, over ``LedgerReportsTests``'
/// ledger.
extension LedgerReportsTests {
    var range: ReportRange { ReportRange(since: since, until: until) }

    @Test(arguments: LedgerEngine.available)
    func breakerTimelineStartsFromTheStateBeforeTheRange(_ engine: LedgerEngine) async throws {
        try await withEngine(engine) { harness in
            try await fill(harness)
            let timeline = try await harness.report(BreakerTimeline.Request(range: range))
            #expect(!timeline.truncated)
            #expect(timeline.providers.map(\.provider) == ["A", "C"])
            // A opened two hours before the range and was still open when it began.
            #expect(timeline.providers[0].stateAtSince == "open")
            #expect(timeline.providers[0].transitions.map(\.to) == ["open", "half_open", "open"])
            #expect(timeline.providers[0].transitions[0].at == LedgerTimestamp.iso8601(fromLedger: LedgerTimestamp.string(from: testDate())))
            #expect(timeline.providers[0].transitions[0].openUntil?.hasSuffix("Z") == true)
            #expect(timeline.providers[1].stateAtSince == "closed")
            #expect(timeline.providers[1].transitions.map(\.to) == ["open"])

            let cut = try await harness.report(BreakerTimeline.Request(range: range, limit: 2))
            #expect(cut.truncated)
            #expect(cut.providers.map(\.provider) == ["A"])
            #expect(cut.providers[0].transitions.map(\.to) == ["open", "half_open"])

            let empty = try await harness.report(
                BreakerTimeline.Request(range: ReportRange(since: testDate(-90_000), until: testDate(-80_000))))
            #expect(empty.providers.isEmpty)
        }
    }

    @Test(arguments: LedgerEngine.available)
    func recentRequestsAreNewestFirstWithTheirCalls(_ engine: LedgerEngine) async throws {
        try await withEngine(engine) { harness in
            try await fill(harness)
            let recent = try await harness.report(RecentRequests.Request(range: range))
            #expect(recent.requests.map(\.id) == ["r5", "r4", "r3", "r2", "r1"])
            let r1 = recent.requests[4]
            #expect(r1.user == "alice")
            #expect(r1.status == "success")
            #expect(r1.cost == 300)
            #expect(r1.attempts.map(\.provider) == ["A", "B"])
            #expect(r1.attempts.map(\.outcome) == ["error", "success"])
            #expect(r1.attempts[1].cost == 300)
            #expect(r1.attempts[1].latencyMs == 200)
            #expect(recent.requests[1].attempts.isEmpty)
            #expect(recent.requests[2].escalated)
            #expect(recent.requests[2].attempts[1].isEscalation)

            let bob = try await harness.report(RecentRequests.Request(range: range, limit: 2, user: "bob"))
            #expect(bob.requests.map(\.id) == ["r5", "r4"])
            let refused = try await harness.report(RecentRequests.Request(range: range, status: "rejected_budget"))
            #expect(refused.requests.map(\.id) == ["r4"])
        }
    }

    @Test(arguments: LedgerEngine.available)
    func aTrailHasTheRequestAndItsCalls(_ engine: LedgerEngine) async throws {
        try await withEngine(engine) { harness in
            try await fill(harness)
            let trail = try #require(try await harness.report(RequestTrail.Request(id: "r3")))
            #expect(trail.request.id == "r3")
            #expect(trail.request.attempts.map(\.outcome) == ["escalated", "success"])
            #expect(trail.request.cost == 550)
            #expect(try await harness.report(RequestTrail.Request(id: "nope")) == nil)
        }
    }

    @Test func reportLimitsAreCheckedNumbers() throws {
        for text in ["0", "-1", "501", "ten", "9999999999999999999999"] {
            #expect(throws: ReportParameterError.self) {
                try RecentRequests.Request(parameters: ReportParameters(["limit": text]))
            }
        }
        #expect(try RecentRequests.Request(parameters: ReportParameters([:])).limit == 50)
        #expect(try BreakerTimeline.Request(parameters: ReportParameters(["limit": "50000"])).limit == 50_000)
        #expect(throws: ReportParameterError(parameter: "id", message: "'id' must name a request")) {
            try RequestTrail.Request(parameters: ReportParameters([:]))
        }
    }
}
