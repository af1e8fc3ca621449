import SwitchyardCore
import Testing

@Suite struct BudgetShareTests {
    private func status(used: Int64, limit: Int64, reserved: Int64 = 0) -> BudgetStatus {
        BudgetStatus(
            scope: .user, scopeID: "u", period: .lifetime, limit: MicroDollars(limit), spent: MicroDollars(used),
            reserved: MicroDollars(reserved))
    }

    @Test func sharesCompareExactly() {
        // 1/3 against 333,333/1,000,000: a third is more, by less than a floating-point rounding of either.
        #expect(status(used: 1, limit: 3).usesMore(ofItsLimitThan: status(used: 333_333, limit: 1_000_000)))
        #expect(!status(used: 333_333, limit: 1_000_000).usesMore(ofItsLimitThan: status(used: 1, limit: 3)))
        // Reserved money counts as used.
        #expect(status(used: 1, limit: 10, reserved: 5).usesMore(ofItsLimitThan: status(used: 5, limit: 10)))
        // Equal shares: neither uses more.
        #expect(!status(used: 2, limit: 4).usesMore(ofItsLimitThan: status(used: 1, limit: 2)))
    }

    @Test func extremesNeitherTrapNorMisorder() {
        let huge = status(used: .max - 1, limit: .max)
        #expect(huge.usesMore(ofItsLimitThan: status(used: .max / 2, limit: .max)))
        #expect(status(used: .max, limit: 1, reserved: .max).usesMore(ofItsLimitThan: huge))
        // Something used of a zero limit is the most; nothing used is the least, whatever the limit.
        #expect(status(used: 1, limit: 0).usesMore(ofItsLimitThan: status(used: .max, limit: 1)))
        #expect(!status(used: 0, limit: 0).usesMore(ofItsLimitThan: status(used: 0, limit: 5)))
        #expect(!status(used: 0, limit: 5).usesMore(ofItsLimitThan: status(used: 0, limit: 0)))
        #expect(status(used: 1, limit: 1_000_000).usesMore(ofItsLimitThan: status(used: -5, limit: 10)))
    }
}
