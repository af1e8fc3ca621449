/// Decides whether a prompt is about code, writing or analysis with a transparent rule set.
///
/// Each class has a list of cues. A cue made only of letters and digits (`"function"`) matches a whole word; any
/// other cue (`"stack trace"`, `"c++"`, a code fence) matches anywhere in the text. Matching ignores ASCII case. A
/// prompt's class is the one whose cues match most often in its user messages (distinct cues, at least
/// ``minimumScore``); ties go to the earlier rule, and no match at all means `general`.
///
/// ```swift
/// PromptClassifier().classify("Fix this Swift function: func f() {}")   // .code
/// ```
///
/// Classification runs on every request, so it is one pass over the UTF-8 bytes with a precompiled word index.
public struct PromptClassifier: Sendable, Hashable {
    /// One class and the cues that point to it.
    public struct Rule: Sendable, Hashable {
        public var promptClass: PromptClass
        /// Cues, lower-cased; surrounding spaces are ignored.
        public var cues: [String]
        public init(_ promptClass: PromptClass, cues: [String]) {
            self.promptClass = promptClass
            self.cues = cues.map { $0.lowercased() }
        }
    }

    /// The outcome with the cues that decided it, for logs and explanations.
    public struct Classification: Sendable, Hashable {
        public var promptClass: PromptClass
        public var matchedCues: [String]
    }

    public var rules: [Rule] {
        didSet { index = CueIndex(rules) }
    }
    /// Cues needed before a class is chosen over `general`. Default 1.
    public var minimumScore: Int
    private var index: CueIndex

    public init(rules: [Rule] = PromptClassifier.defaultRules, minimumScore: Int = 1) {
        self.rules = rules
        self.minimumScore = minimumScore
        self.index = CueIndex(rules)
    }

    /// The built-in cues.
    public static let defaultRules: [Rule] = [
        Rule(
            .code,
            cues: [
                "```", "func", "def", "class", "function", "method", "compile", "compiler", "stack trace",
                "exception", "bug", "debug", "refactor", "unit test", "regex", "sql", "python", "swift",
                "javascript", "typescript", "java", "rust", "golang", "c++", "api", "json", "code", "script",
                "syntax", "=>", "();", "import",
            ]),
        Rule(
            .writing,
            cues: [
                "write", "essay", "poem", "story", "blog", "email", "letter", "rewrite", "draft", "tone", "headline",
                "slogan", "paragraph", "proofread", "edit my", "novel", "lyrics", "cover letter",
            ]),
        Rule(
            .analysis,
            cues: [
                "analyze", "analyse", "analysis", "compare", "evaluate", "assess", "pros and cons", "trade-off",
                "tradeoff", "trend", "trends", "data", "statistics", "forecast", "summarize", "summarise",
                "explain why", "root cause", "insight", "insights", "metrics",
            ]),
    ]

    /// Classifies a request from its user messages.
    public func classify(_ request: ChatRequest) -> Classification {
        var matched = CueSet()
        for message in request.messages where message.role == .user {
            guard var content = message.content else { continue }
            content.withUTF8 { index.scan($0, into: &matched) }
        }
        return decide(matched)
    }

    /// Classifies a text.
    public func classify(_ text: String) -> Classification {
        var matched = CueSet()
        var text = text
        text.withUTF8 { index.scan($0, into: &matched) }
        return decide(matched)
    }

    private func decide(_ matched: CueSet) -> Classification {
        var counts = [Int](repeating: 0, count: rules.count)
        matched.forEach { counts[index.cues[$0].rule] += 1 }
        var best: Int?
        for (rule, count) in counts.enumerated() where count >= max(minimumScore, 1) {
            if best.map({ count > counts[$0] }) ?? true { best = rule }
        }
        guard let best else { return Classification(promptClass: .general, matchedCues: []) }
        var cues: [String] = []
        matched.forEach { if index.cues[$0].rule == best { cues.append(index.cues[$0].text) } }
        return Classification(promptClass: rules[best].promptClass, matchedCues: cues)
    }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.rules == rhs.rules && lhs.minimumScore == rhs.minimumScore
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(rules)
        hasher.combine(minimumScore)
    }

    static func isWordByte(_ byte: UInt8) -> Bool {
        (0x61...0x7A).contains(byte) || (0x30...0x39).contains(byte) || byte >= 0x80
    }

    static func lowercased(_ byte: UInt8) -> UInt8 {
        (0x41...0x5A).contains(byte) ? byte + 0x20 : byte
    }

    /// Whether `needle` (lower-case) occurs in `haystack`, ignoring ASCII case.
    static func contains(_ haystack: UnsafeBufferPointer<UInt8>, _ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty else { return true }
        guard needle.count <= haystack.count else { return false }
        for start in 0...(haystack.count - needle.count) where matches(haystack, at: start, needle) { return true }
        return false
    }

    static func matches(_ haystack: UnsafeBufferPointer<UInt8>, at start: Int, _ needle: [UInt8]) -> Bool {
        guard start + needle.count <= haystack.count else { return false }
        for offset in 0..<needle.count where lowercased(haystack[start + offset]) != needle[offset] { return false }
        return true
    }
}

/// Up to 256 cue numbers, inline (no allocation on the request path).
struct CueSet {
    private var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)

    mutating func insert(_ cue: Int) {
        let bit = UInt64(1) << UInt64(cue & 63)
        switch cue >> 6 {
        case 0: words.0 |= bit
        case 1: words.1 |= bit
        case 2: words.2 |= bit
        default: words.3 |= bit
        }
    }

    /// Calls `body` with each cue number, in ascending order.
    func forEach(_ body: (Int) -> Void) {
        for (block, word) in [words.0, words.1, words.2, words.3].enumerated() {
            var remaining = word
            while remaining != 0 {
                body(block * 64 + remaining.trailingZeroBitCount)
                remaining &= remaining - 1
            }
        }
    }
}

/// The cues of a rule set, compiled for one-pass matching. At most 256 cues are used.
private struct CueIndex: Sendable {
    struct Cue: Sendable {
        var text: String
        var bytes: [UInt8]
        var rule: Int
    }

    static let maximumCues = 256
    var cues: [Cue] = []
    /// Open-addressing table of word cues: slot → cue number + 1 (0 is empty), found by FNV-1a hash.
    var wordSlots: [Int16]
    /// First byte → phrase cues starting with it.
    var phrasesByFirstByte: [[Int]] = Array(repeating: [], count: 256)

    init(_ rules: [PromptClassifier.Rule]) {
        wordSlots = Array(repeating: 0, count: 1024)
        for (ruleNumber, rule) in rules.enumerated() {
            for text in rule.cues where cues.count < Self.maximumCues {
                let trimmed = String(text.drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
                let bytes = Array(trimmed.utf8).map(PromptClassifier.lowercased)
                guard !bytes.isEmpty, !cues.contains(where: { $0.bytes == bytes && $0.rule == ruleNumber }) else {
                    continue
                }
                let number = cues.count
                cues.append(Cue(text: trimmed, bytes: bytes, rule: ruleNumber))
                if bytes.allSatisfy(PromptClassifier.isWordByte) {
                    var slot = Int(Self.hash(bytes[...]) & 1023)
                    while wordSlots[slot] != 0 { slot = (slot + 1) & 1023 }
                    wordSlots[slot] = Int16(number + 1)
                } else {
                    phrasesByFirstByte[Int(bytes[0])].append(number)
                }
            }
        }
    }

    /// Adds every cue found in `text` to `matched`.
    func scan(_ text: UnsafeBufferPointer<UInt8>, into matched: inout CueSet) {
        var wordStart = -1
        var hash: UInt64 = Self.offsetBasis
        for position in 0...text.count {
            let byte = position < text.count ? PromptClassifier.lowercased(text[position]) : 0x20
            if PromptClassifier.isWordByte(byte) {
                if wordStart < 0 {
                    wordStart = position
                    hash = Self.offsetBasis
                }
                hash = (hash ^ UInt64(byte)) &* Self.prime
            } else if wordStart >= 0 {
                lookUpWord(text, start: wordStart, end: position, hash: hash, into: &matched)
                wordStart = -1
            }
            if position < text.count {
                for cue in phrasesByFirstByte[Int(byte)] where PromptClassifier.matches(text, at: position, cues[cue].bytes) {
                    matched.insert(cue)
                }
            }
        }
    }

    private func lookUpWord(
        _ text: UnsafeBufferPointer<UInt8>, start: Int, end: Int, hash: UInt64, into matched: inout CueSet
    ) {
        var slot = Int(hash & 1023)
        while wordSlots[slot] != 0 {
            let cue = Int(wordSlots[slot]) - 1
            if cues[cue].bytes.count == end - start, PromptClassifier.matches(text, at: start, cues[cue].bytes) {
                matched.insert(cue)
            }
            slot = (slot + 1) & 1023
        }
    }

    static let offsetBasis: UInt64 = 0xcbf2_9ce4_8422_2325
    static let prime: UInt64 = 0x100_0000_01b3

    /// FNV-1a over lower-cased bytes: fixed and seedless, so lookups need no allocation.
    static func hash(_ bytes: ArraySlice<UInt8>) -> UInt64 {
        var hash = offsetBasis
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* prime }
        return hash
    }
}
