@testable import SwitchyardCore
import Testing

@Suite struct MarkerFilterTests {
    func run(_ pieces: [String], detect: Bool = true) -> (text: String, escalate: Bool) {
        var filter = MarkerFilter(marker: "[ESCALATE]", detectEscalation: detect)
        var text = pieces.map { filter.feed($0) }.joined()
        text += filter.finish()
        return (text, filter.shouldEscalate)
    }

    @Test func detectsALeadingMarkerSplitAcrossChunks() {
        let result = run(["  [ESC", "ALA", "TE] I need help"])
        #expect(result.escalate)
        #expect(result.text == "")
    }

    @Test func releasesOrdinaryTextAndStripsMarkersLaterOn() {
        let result = run(["Hello ", "wor", "ld [ESCA", "LATE] bye"])
        #expect(!result.escalate)
        #expect(result.text == "Hello world  bye")
    }

    @Test func withoutDetectionALeadingMarkerIsOnlyRemoved() {
        let result = run(["[ESCALATE] fine"], detect: false)
        #expect(!result.escalate)
        #expect(result.text == " fine")
    }

    @Test func shortAnswersThatAreAMarkerPrefixAreReleasedAtTheEnd() {
        let result = run(["[ES"])
        #expect(!result.escalate)
        #expect(result.text == "[ES")
    }
}
