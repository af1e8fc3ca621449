import SwitchyardStore
import Testing

@Suite struct LedgerBackoffTests {
    @Test func doublesFromTheInitialWaitUpToTheMaximum() {
        let backoff = LedgerBackoff()
        #expect(
            (1...8).map { backoff.delay(afterFailures: $0) } == [
                .milliseconds(50), .milliseconds(100), .milliseconds(200), .milliseconds(400), .milliseconds(800),
                .milliseconds(1600), .seconds(2), .seconds(2),
            ])
        #expect(backoff.delay(afterFailures: 0) == .milliseconds(50))
        #expect(backoff.delay(afterFailures: .max) == .seconds(2))
    }

    @Test func oddSettingsAreMadeSane() {
        #expect(LedgerBackoff(initial: .seconds(3), maximum: .seconds(1)).delay(afterFailures: 5) == .seconds(3))
        #expect(LedgerBackoff(initial: .zero, maximum: .seconds(1)).delay(afterFailures: .max) == .zero)
        #expect(LedgerBackoff(initial: .milliseconds(-5)).initial == .zero)
    }
}
