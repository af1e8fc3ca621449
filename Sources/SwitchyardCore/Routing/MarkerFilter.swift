/// Watches a streamed answer for the escalation marker.
///
/// Before any text is released it waits until the answer's first characters (after leading white space) are
/// enough to tell whether it starts with the marker; if it does, ``shouldEscalate`` turns true and nothing is
/// released. After that it removes every marker occurrence, holding back only a tail that could be the start of
/// one, so the marker never reaches the client even when split across chunks.
import Foundation

struct MarkerFilter {
    let marker: String
    /// Whether a leading marker should escalate (false after escalating once, or with no escalation target).
    let detectEscalation: Bool
    private(set) var shouldEscalate = false
    private var decided: Bool
    private var pending = ""

    init(marker: String, detectEscalation: Bool) {
        self.marker = marker
        self.detectEscalation = detectEscalation
        self.decided = !detectEscalation
    }

    /// Adds new text; returns what may be released now.
    mutating func feed(_ text: String) -> String {
        guard !marker.isEmpty else { return text }
        pending += text
        if !decided {
            let start = pending.drop { $0.isWhitespace }
            if start.count < marker.count && marker.hasPrefix(start) { return "" }
            decided = true
            if start.hasPrefix(marker) {
                shouldEscalate = true
                return ""
            }
        }
        if shouldEscalate { return "" }
        pending = pending.replacingOccurrences(of: marker, with: "")
        let keep = heldTailLength(pending)
        let released = String(pending.dropLast(keep))
        pending = String(pending.suffix(keep))
        return released
    }

    /// Ends the text; returns the rest to release.
    mutating func finish() -> String {
        guard !marker.isEmpty else { return "" }
        if !decided {
            decided = true
            if pending.drop(while: \.isWhitespace).hasPrefix(marker), detectEscalation {
                shouldEscalate = true
            }
        }
        if shouldEscalate { return "" }
        let rest = pending.replacingOccurrences(of: marker, with: "")
        pending = ""
        return rest
    }

    /// The longest suffix of `text` that is a proper prefix of the marker.
    private func heldTailLength(_ text: String) -> Int {
        var length = min(marker.count - 1, text.count)
        while length > 0 {
            if marker.hasPrefix(text.suffix(length)) { return length }
            length -= 1
        }
        return 0
    }

    /// Whether `text` holds the marker, by a byte search (no Foundation on the hot path).
    static func contains(_ marker: String, in text: String) -> Bool {
        guard !marker.isEmpty else { return false }
        var text = text
        let needle = Array(marker.utf8)
        return text.withUTF8 { bytes in
            guard needle.count <= bytes.count else { return false }
            for start in 0...(bytes.count - needle.count) where bytes[start] == needle[0] {
                if bytes[start..<(start + needle.count)].elementsEqual(needle) { return true }
            }
            return false
        }
    }

    /// Removes the marker from a complete answer.
    static func strip(_ marker: String, from text: String) -> String {
        guard contains(marker, in: text) else { return text }
        let removed = text.replacingOccurrences(of: marker, with: "")
        return String(removed.drop(while: \.isWhitespace))
    }
}
