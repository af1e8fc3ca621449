#if canImport(Glibc)
    import Glibc
#else
    import Darwin
#endif

/// An incremental parser of `text/event-stream` bodies, as the HTML standard's event-stream interpretation defines.
///
/// Feed it the body's bytes as they arrive, in pieces of any size; it returns the events completed by each piece.
/// It handles lines split across pieces (even a CRLF split between two), LF, CR and CRLF line ends, multi-line
/// `data`, `event` names, `id`, comments (`: keep-alive`) and a leading byte-order mark. A last event without its
/// closing blank line is dropped at the end, as the standard says: callers detect cut streams by their own end
/// markers.
///
/// Memory is bounded: a line, or an event's `data` lines together, larger than ``maxEventBytes`` throws
/// ``TooLargeError`` instead of growing without bound.
///
/// ```swift
/// var parser = SSEParser()
/// for try await piece in response.body {
///     for event in try parser.feed(piece.readableBytesView) { handle(event) }
/// }
/// ```
public struct SSEParser: Sendable {
    /// A line, or an event, larger than ``maxEventBytes`` arrived.
    public struct TooLargeError: Error, Sendable, Hashable, CustomStringConvertible {
        public var limit: Int
        public var description: String { "an event-stream line or event is larger than \(limit) bytes" }
    }

    /// The largest line, and the largest event (its `data` lines together), accepted. Default 1 MiB.
    public var maxEventBytes: Int

    private var line: [UInt8] = []
    private var lastWasCR = false
    private var checkedByteOrderMark = false
    private var data = ""
    private var hasData = false
    /// Bytes of ``data`` (with its line separators), counted as they are appended.
    private var dataBytes = 0
    private var eventName = ""
    private var lastEventID: String?

    public init(maxEventBytes: Int = 1 << 20) {
        self.maxEventBytes = maxEventBytes
    }

    /// Parses the next piece of the body.
    /// - Returns: the events the piece completed, in order.
    public mutating func feed(_ bytes: some Sequence<UInt8>) throws(TooLargeError) -> [ServerSentEvent] {
        var result: Result<[ServerSentEvent], TooLargeError> = .success([])
        Array(bytes).withUnsafeBytes { buffer in
            result = Result { () throws(TooLargeError) in try feed(buffer) }
        }
        return try result.get()
    }

    /// Parses the next piece of the body, given as raw bytes (a `ByteBuffer`'s readable bytes): the fast path, which
    /// copies whole runs between line ends instead of single bytes.
    /// - Returns: the events the piece completed, in order.
    public mutating func feed(_ bytes: UnsafeRawBufferPointer) throws(TooLargeError) -> [ServerSentEvent] {
        var events: [ServerSentEvent] = []
        var index = 0
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "\n"):
                if lastWasCR {
                    lastWasCR = false  // the LF of a CRLF whose CR already ended the line
                } else {
                    try endLine(into: &events)
                }
                index += 1
            case UInt8(ascii: "\r"):
                lastWasCR = true
                try endLine(into: &events)
                index += 1
            default:
                lastWasCR = false
                let end = Self.lineEnd(in: bytes, from: index)
                guard line.count + (end - index) <= maxEventBytes else { throw TooLargeError(limit: maxEventBytes) }
                line.append(contentsOf: bytes[index..<end])
                index = end
            }
        }
        return events
    }

    /// The index of the first CR or LF at or after `start`, or the end of `bytes`.
    private static func lineEnd(in bytes: UnsafeRawBufferPointer, from start: Int) -> Int {
        guard let base = bytes.baseAddress else { return bytes.count }
        let rest = bytes.count - start
        var end = bytes.count
        for terminator in [UInt8(ascii: "\n"), UInt8(ascii: "\r")] {
            if let found = memchr(base + start, Int32(terminator), rest) {
                end = min(end, base.distance(to: UnsafeRawPointer(found)))
            }
        }
        return end
    }

    private mutating func endLine(into events: inout [ServerSentEvent]) throws(TooLargeError) {
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
            dataBytes += (hasData ? 1 : 0) + value.utf8.count  // each ≤ maxEventBytes: cannot overflow
            if dataBytes > maxEventBytes { throw TooLargeError(limit: maxEventBytes) }
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
            dataBytes = 0
            eventName = ""
        }
        guard hasData else { return }
        events.append(ServerSentEvent(event: eventName.isEmpty ? "message" : eventName, data: data, id: lastEventID))
    }
}
