import Foundation
import Synchronization
import Testing

/// Requests a load generator saw answered in full.
final class Acknowledged: Sendable {
    private let ids = Mutex<[String]>([])
    /// Signalled on every acknowledgement.
    let changes = Changes()
    func add(_ id: String) {
        ids.withLock { $0.append(id) }
        changes.signal()
    }
    var all: [String] { ids.withLock { $0 } }
    var count: Int { ids.withLock { $0.count } }
}

extension Reliability {
    @Suite("kill -9 under load, restart on the same file", .timeLimit(.minutes(2)))
    struct CrashTests {
        static let rounds = 2
        static let workers = 24
        /// Answers to collect before the kill; the other workers are mid-request when it comes.
        static let answersBeforeKill = 30

        @Test("every acknowledged request is recorded with its attempts and money; reservations resolved; serves again")
        func killUnderLoad() async throws {
            try await Stage.run(
                "crash",
                config: { upstream in
                    upstream.script("shop") { call, request in
                        .answer(
                            request, "an answer worth keeping", usage: (20, 40), gap: .milliseconds(10 + call * 31 % 40)
                        )
                    }
                    return baseConfig(
                        """
                        budgets: {default_limit_usd: 100.00}
                        providers:
                          - name: shop
                            kind: openai
                            base_url: \(upstream.baseURL("shop"))
                            models:
                              - {name: m, input_usd_per_mtok: 1.00, output_usd_per_mtok: 2.00, max_output_tokens: 200}
                        """)
                }
            ) { stage in
                var acknowledged: [String] = []
                for round in 1...Self.rounds {
                    let acks = Acknowledged()
                    let stop = Flag()
                    let port = stage.port
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        for worker in 0..<Self.workers {
                            group.addTask {
                                var sent = 0
                                while !stop.isSet, !Task.isCancelled {
                                    let stream = (worker + sent) % 2 == 0
                                    sent += 1
                                    let body = chatBody(
                                        "round \(round) worker \(worker) #\(sent)", user: "crash", stream: stream)
                                    guard
                                        let answer = try? await RawHTTP.post(
                                            port: port, json: body, timeout: .seconds(10))
                                    else {
                                        try? await Task.sleep(for: .milliseconds(5))
                                        continue
                                    }
                                    if answer.status == 200, !stream || answer.isDone, let id = answer.requestID {
                                        acks.add(id)
                                    }
                                }
                            }
                        }
                        try await acks.changes.wait("\(Self.answersBeforeKill) answers", timeout: .seconds(30)) {
                            acks.count >= Self.answersBeforeKill
                        }
                        await stage.crash()
                        stop.set()
                        try await group.waitForAll()
                    }
                    try await stage.restart()
                    acknowledged += acks.all
                    try await Self.checkRecovered(stage, acknowledged: acknowledged)
                }
                let recovered = try stage.ledger.count(
                    "SELECT count(*) FROM ledger WHERE note LIKE 'recovered at start-up%'")
                print("crash: \(acknowledged.count) acknowledged requests checked, \(recovered) reservations recovered")
                Figures.record(
                    "crash", ["crashes_survived": Self.rounds, "requests_under_faults": acknowledged.count])
            }
        }

        static func checkRecovered(_ stage: Stage, acknowledged: [String]) async throws {
            let ledger = stage.ledger
            let rows = Dictionary(uniqueKeysWithValues: try ledger.requests(user: "crash").map { ($0.id, $0) })
            let money = Dictionary(grouping: try ledger.ledgerRows(user: "crash"), by: { $0.requestID ?? "" })
            var missing: [String] = []
            for id in acknowledged {
                guard let row = rows[id], row.status == "success" else {
                    missing.append("\(id): \(rows[id].map(\.description) ?? "no requests row")")
                    continue
                }
                let attempts = try ledger.attempts(id)
                if !attempts.contains(where: { $0.outcome == "success" }) {
                    missing.append("\(id): attempts \(attempts)")
                }
                let kinds = Set(money[id, default: []].map(\.kind))
                if !kinds.isSuperset(of: ["reserve", "settle"]) {
                    missing.append("\(id): ledger rows \(kinds.sorted())")
                }
            }
            #expect(missing.isEmpty, "acknowledged but not recorded:\n\(missing.prefix(10).joined(separator: "\n"))")

            // The documented crash rule: at start-up every open reservation is settled (at its reserved amount).
            let open = try ledger.count(
                """
                SELECT count(*) FROM ledger r WHERE r.kind = 'reserve' AND NOT EXISTS
                  (SELECT 1 FROM ledger s WHERE s.request_id = r.request_id AND s.kind = 'settle')
                """)
            #expect(open == 0, "reservations left open after the restart")
            var reserved: [String: Int64] = [:]
            for row in try ledger.ledgerRows(user: "crash") where row.kind == "reserve" {
                reserved[row.requestID ?? "", default: 0] += row.amountMicros
            }
            let recovered = try ledger.ledgerRows(user: "crash").filter {
                $0.kind == "settle" && $0.note?.hasPrefix("recovered at start-up") == true
            }
            let wrong = recovered.filter { $0.amountMicros != reserved[$0.requestID ?? ""] }
            #expect(
                wrong.isEmpty, "recovered settles not at their reserved amount: \(wrong.count) of \(recovered.count)")
            #expect(try ledger.budget("crash").reserved == 0)
            let verify = try await Switchyard.run([
                "budget", "verify", "--config", stage.configPath, "--db", stage.databasePath,
            ])
            #expect(verify.status == 0, "\(verify)")

            let again = try await RawHTTP.post(port: stage.port, json: chatBody("after the crash", user: "crash"))
            #expect(again.status == 200, "the restarted service serves: \(again)")
        }
    }
}
