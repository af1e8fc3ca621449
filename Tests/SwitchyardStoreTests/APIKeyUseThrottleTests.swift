import Foundation
import Testing

@testable import SwitchyardStore

@Suite struct APIKeyUseThrottleTests {
    @Test func recordsOncePerIntervalPerKey() {
        var throttle = APIKeyUseThrottle(interval: .seconds(60))
        let decisions = [
            throttle.shouldRecord(keyID: 1, storedLastUse: nil, now: testDate(0)),
            throttle.shouldRecord(keyID: 1, storedLastUse: nil, now: testDate(1)),
            throttle.shouldRecord(keyID: 2, storedLastUse: nil, now: testDate(1)),
            throttle.shouldRecord(keyID: 1, storedLastUse: nil, now: testDate(59.9)),
            throttle.shouldRecord(keyID: 1, storedLastUse: nil, now: testDate(60)),
        ]
        #expect(decisions == [true, false, true, false, true])
    }

    @Test func aRecentStoredUseHoldsOff() {
        var throttle = APIKeyUseThrottle(interval: .seconds(60))
        let decisions = [
            throttle.shouldRecord(keyID: 1, storedLastUse: testDate(0), now: testDate(30)),
            throttle.shouldRecord(keyID: 1, storedLastUse: testDate(0), now: testDate(61)),
        ]
        #expect(decisions == [false, true])
    }

    @Test func aClockSetBackALittleDoesNotWriteEveryTime() {
        var throttle = APIKeyUseThrottle(interval: .seconds(60))
        let decisions = [
            throttle.shouldRecord(keyID: 1, storedLastUse: nil, now: testDate(100)),
            throttle.shouldRecord(keyID: 1, storedLastUse: nil, now: testDate(90)),
            throttle.shouldRecord(keyID: 1, storedLastUse: nil, now: testDate(30)),
        ]
        #expect(decisions == [true, false, true])
    }

    @Test func memoryIsBounded() {
        var throttle = APIKeyUseThrottle(interval: .seconds(60), capacity: 3)
        let first = (1...3).map { throttle.shouldRecord(keyID: Int64($0), storedLastUse: nil, now: testDate(0)) }
        #expect(first == [true, true, true])
        // The old entries are forgotten to make room.
        let later = throttle.shouldRecord(keyID: 4, storedLastUse: nil, now: testDate(100))
        #expect(later)
        #expect(throttle.rememberedCount == 1)
        // All recent: everything is forgotten, which costs at most one extra write per key.
        let busy = (5...7).map { throttle.shouldRecord(keyID: Int64($0), storedLastUse: nil, now: testDate(100)) }
        #expect(busy == [true, true, true])
        #expect(throttle.rememberedCount == 1)
        // Key 4 was forgotten with the others, so it is recorded again (once).
        let again = throttle.shouldRecord(keyID: 4, storedLastUse: nil, now: testDate(101))
        #expect(again)
    }
}
