import Foundation
import Testing

@testable import SwitchyardCore

@Suite struct RequestIDTests {
    @Test func isSyAndTwentyBase36Digits() {
        let id = RequestID.make()
        #expect(id.hasPrefix("sy_"))
        #expect(id.count == 23)
        #expect(id.dropFirst(3).allSatisfy { $0.isASCII && ($0.isNumber || $0.isLowercase) })
    }

    @Test func startsWithTheTimeSoLaterIdsSortAfterEarlierOnes() {
        let start = Date(timeIntervalSince1970: 1_796_000_000)
        let earlier = RequestID.make(at: start, random: .max)
        let later = RequestID.make(at: start.addingTimeInterval(0.001), random: 0)
        #expect(earlier < later)
        // 1,796,000,000,000 ms in base 36, then the random part.
        #expect(RequestID.make(at: start, random: 0) == "sy_0mx2k114w00000000000")
        #expect(RequestID.make(at: start, random: 35) == "sy_0mx2k114w0000000000z")
    }

    @Test func aClockOutOfRangeWritesZerosInsteadOfTrapping() {
        #expect(RequestID.make(at: Date(timeIntervalSince1970: -5), random: 0) == "sy_00000000000000000000")
        #expect(RequestID.make(at: Date(timeIntervalSince1970: 1e12), random: 0) == "sy_00000000000000000000")
    }
}
