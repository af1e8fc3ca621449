/// An incremental parser of `text/event-stream` bodies, as the HTML standard's event-stream interpretation defines.
///
/// Feed it the body's bytes as they arrive, in pieces of any size; it returns the events completed by each piece.
/// It handles lines split across pieces (even a CRLF split between two), LF, CR and CRLF line ends, multi-line
/// `data`, `event` names, `id`, comments (`: keep-alive`) and a leading byte-order mark. A last event without its
/// closing blank line is dropped at the end, as the standard says: callers detect cut streams by their own end
/// markers.
///
/// ```swift
/// var parser = SSEParser()
/// for try await piece in response.body {
///     for event in try parser.feed(piece.readableBytesView) { handle(event) }
/// }
/// ```
public struct SSEParser: Sendable {
    /// A line longer than ``maxLineBytes`` arrived.
    public struct LineTooLongError: Error, Sendable, Hashable, CustomStringConvertible {
        public var limit: Int
        public var description: String { "an event-stream line is longer than \(limit) bytes" }
    }

    /// The longest line accepted. Default 8 MiB.
    public var maxLineBytes: Int

    private var line: [UInt8] = []
    private var lastWasCR = false
    private var checkedByteOrderMark = false
    private var data = ""
    private var hasData = false
    private var eventName = ""
    private var lastEventID: String?

    public init(maxLineBytes: Int = 8 << 20) {
        self.maxLineBytes = maxLineBytes
    }

    /// Parses the next piece of the body.
    /// - Returns: the events the piece completed, in order.
    public mutating func feed(_ bytes: some Sequence<UInt8>) throws(LineTooLongError) -> [ServerSentEvent] {
        var events: [ServerSentEvent] = []
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "\n"):
                if lastWasCR {
                    lastWasCR = false  // the LF of a CRLF whose CR already ended the line
                } else {
                    endLine(into: &events)
                }
            case UInt8(ascii: "\r"):
                lastWasCR = true
                endLine(into: &events)
            default:
                lastWasCR = false
                line.append(byte)
                if line.count > maxLineBytes { throw LineTooLongError(limit: maxLineBytes) }
            }
        }
        return events
    }

    private mutating func endLine(into events: inout [ServerSentEvent]) {
        defer { line.removeAll(keepingCapacity: true) }
        if !checkedByteOrderMark {
            checkedByteOrderMark = true
            if line.starts(with: [0xEF, 0xBB, 0xBF]) { line.removeFirst(3) }
        }
        guard !line.isEmpty else {
            dispatch(into: &events)
            return
        }
        if line.first == UInt8(ascii: ":") { return }  // comment
        let field: String
        let value: String
        if let colon = line.firstIndex(of: UInt8(ascii: ":")) {
            field = String(decoding: line[..<colon], as: UTF8.self)
            var valueStart = line.index(after: colon)
            if valueStart < line.endIndex, line[valueStart] == UInt8(ascii: " ") { valueStart += 1 }
            value = String(decoding: line[valueStart...], as: UTF8.self)
        } else {
            field = String(decoding: line, as: UTF8.self)
            value = ""
        }
        switch field {
        case "data":
            if hasData { data.append("\n") }
            data.append(value)
            hasData = true
        case "event":
            eventName = value
        case "id":
            if !value.utf8.contains(0) { lastEventID = value }
        default:
            break  // `retry` and unknown fields are ignored
        }
    }

    private mutating func dispatch(into events: inout [ServerSentEvent]) {
        defer {
            data = ""
            hasData = false
            eventName = ""
        }
        guard hasData else { return }
        events.append(ServerSentEvent(event: eventName.isEmpty ? "message" : eventName, data: data, id: lastEventID))
    }
}
