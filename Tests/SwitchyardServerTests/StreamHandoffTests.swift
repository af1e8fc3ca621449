@testable import SwitchyardServer
import Testing

@Suite("Stream hand-off", .timeLimit(.minutes(1)))
struct StreamHandoffTests {
    @Test func deliversEverythingInOrderToASlowReceiverWithHeartbeatsInterleaved() async throws {
        for round in 0..<200 {
            let handoff = StreamHandoff<Int>(capacity: 4)
            async let sent: Void = {
                for value in 0..<100 { try await handoff.send(value) }
                handoff.finish()
            }()
            async let beats: Void = {
                for _ in 0..<50 {
                    handoff.offer(-1)
                    await Task.yield()
                }
            }()
            var received: [Int] = []
            while let value = try await handoff.next() {
                if value >= 0 { received.append(value) }
                if value % 7 == 0 { await Task.yield() }
            }
            try await sent
            await beats
            #expect(received == Array(0..<100), "round \(round)")
        }
    }

    @Test func aSenderThatWaitsTooLongIsExpired() async throws {
        let handoff = StreamHandoff<Int>(capacity: 1)
        try await handoff.send(1)
        let blocked = Task { try await handoff.send(2) }
        while !handoff.expireStalledSender(waitingSince: .now + .seconds(1)) { await Task.yield() }
        await #expect(throws: StreamHandoff<Int>.Closed.self) { try await blocked.value }
        await #expect(throws: StreamHandoff<Int>.Closed.self) { try await handoff.send(3) }
    }

    @Test func closingWakesAWaitingReceiver() async throws {
        let handoff = StreamHandoff<Int>(capacity: 1)
        async let next = handoff.next()
        await Task.yield()
        handoff.close()
        #expect(try await next == nil)
    }
}
