@testable import SwitchyardCore
import Testing

@Suite struct MoneyTests {
    @Test(arguments: [
        ("1", 1_000_000), ("1.00", 1_000_000), ("0.25", 250_000), ("0.000001", 1), ("$2.5", 2_500_000), (".5", 500_000),
    ] as [(String, Int64)])
    func parsesExactly(text: String, micros: Int64) throws {
        #expect(try MicroDollars(parsing: text).rawValue == micros)
    }

    @Test(arguments: ["", "abc", "1.0000001", "-1", "1.2.3", ".", "1e3"])
    func rejectsBadAmounts(text: String) {
        #expect(throws: MoneyParseError.self) { try MicroDollars(parsing: text) }
    }

    @Test func formatsWithSixPlaces() {
        #expect(MicroDollars(1_250).formatted == "$0.001250")
        #expect(MicroDollars(12_000_001).decimalString == "12.000001")
        #expect(MicroDollars(-5).decimalString == "-0.000005")
    }

    @Test func costRoundsUpToTheNextMicroDollar() {
        // $0.15 / MTok in, $0.60 / MTok out.
        let pricing = ModelPricing(inputPerMillionTokens: 150_000, outputPerMillionTokens: 600_000)
        #expect(pricing.cost(promptTokens: 1_000_000, completionTokens: 0) == 150_000)
        #expect(pricing.cost(promptTokens: 1, completionTokens: 0) == 1)  // 0.15 µ$ rounds up
        #expect(pricing.cost(promptTokens: 100, completionTokens: 100) == 75)  // 15 + 60
        #expect(ModelPricing.free.cost(promptTokens: 10, completionTokens: 10) == .zero)
    }

    @Test func upperBoundCoversEveryByte() {
        let request = ChatRequest(model: "m", messages: [.user("héllo wörld")])
        #expect(TokenEstimator.upperBoundPromptTokens(request) >= "héllo wörld".utf8.count)
        #expect(TokenEstimator.expectedPromptTokens(request) < TokenEstimator.upperBoundPromptTokens(request))
    }
}
