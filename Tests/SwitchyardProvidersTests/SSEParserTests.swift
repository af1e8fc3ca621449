import SwitchyardProviders
import Testing

@Suite("SSE parser")
struct SSEParserTests {
    private func parse(_ pieces: [String]) throws -> [ServerSentEvent] {
        var parser = SSEParser()
        return try pieces.flatMap { try parser.feed(Array($0.utf8)) }
    }

    @Test func parsesDataEventsEndedByBlankLines() throws {
        let events = try parse(["data: one\n\ndata: two\n\n"])
        #expect(events.map(\.data) == ["one", "two"])
        #expect(events.allSatisfy { $0.event == "message" })
    }

    @Test func joinsMultiLineData() throws {
        let events = try parse(["data: first\ndata: second\n\n"])
        #expect(events.map(\.data) == ["first\nsecond"])
    }

    @Test func readsEventNamesAndIDs() throws {
        let events = try parse(["event: message_start\nid: 7\ndata: {}\n\nevent: ping\ndata: x\n\n"])
        #expect(events.map(\.event) == ["message_start", "ping"])
        #expect(events.map(\.id) == ["7", "7"])
    }

    @Test func skipsCommentsAndUnknownFields() throws {
        let events = try parse([": keep-alive\n\nretry: 100\nfoo: bar\ndata: real\n\n"])
        #expect(events.map(\.data) == ["real"])
    }

    @Test(arguments: [
        ["data: hel", "lo\n\n"],
        ["da", "ta: hello", "\n", "\n"],
        ["data: hello\r", "\n\r\n"],
        ["data: hello\r\n\r", "\n"],
        ["data: hello\r\r"],
    ])
    func handlesLinesSplitAcrossPiecesAndAnyLineEnd(pieces: [String]) throws {
        let events = try parse(pieces)
        #expect(events.map(\.data) == ["hello"])
    }

    @Test func splitsInsideAMultiByteCharacter() throws {
        let bytes = Array("data: héllo ✓\n\n".utf8)
        var parser = SSEParser()
        var events: [ServerSentEvent] = []
        for byte in bytes { events += try parser.feed([byte]) }
        #expect(events.map(\.data) == ["héllo ✓"])
    }

    @Test func keepsOnlyOneLeadingSpaceAndAcceptsNoSpace() throws {
        let events = try parse(["data:tight\n\ndata:  two spaces\n\n"])
        #expect(events.map(\.data) == ["tight", " two spaces"])
    }

    @Test func dispatchesEmptyDataButNotEmptyEvents() throws {
        let events = try parse(["\n\nevent: nothing\n\ndata:\n\n"])
        #expect(events.map(\.data) == [""])
        #expect(events.map(\.event) == ["message"])
    }

    @Test func dropsAnUnfinishedLastEvent() throws {
        let events = try parse(["data: complete\n\ndata: cut"])
        #expect(events.map(\.data) == ["complete"])
    }

    @Test func stripsALeadingByteOrderMark() throws {
        var parser = SSEParser()
        let events = try parser.feed([0xEF, 0xBB, 0xBF] + Array("data: x\n\n".utf8))
        #expect(events.map(\.data) == ["x"])
    }

    @Test func rejectsOverlongLines() {
        var parser = SSEParser(maxEventBytes: 8)
        #expect(throws: SSEParser.TooLargeError.self) { try parser.feed(Array("data: 0123456789".utf8)) }
    }

    @Test func rejectsEventsWhoseDataLinesTogetherAreTooLarge() throws {
        var parser = SSEParser(maxEventBytes: 16)
        #expect(try parser.feed(Array("data: 0123456\ndata: 01234567\n\n".utf8)).map(\.data) == ["0123456\n01234567"])
        #expect(throws: SSEParser.TooLargeError.self) {
            try parser.feed(Array("data: 01234567\ndata: 01234567\n".utf8))
        }
    }
}
