/// Decides whether a prompt is about code, writing or analysis with a transparent rule set: each class has a list
/// of cues (words, phrases, symbols); a prompt's class is the one with the most matching cues in its user messages,
/// at least ``minimumScore``, ties going to the earlier class in ``rules``. Otherwise it is `general`.
///
/// ```swift
/// PromptClassifier().classify("Fix this Swift function: func f() {}")   // .code
/// ```
public struct PromptClassifier: Sendable, Hashable {
    /// One class and the cues that point to it. Cues are matched case-insensitively as substrings.
    public struct Rule: Sendable, Hashable {
        public var promptClass: PromptClass
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

    public var rules: [Rule]
    /// Cues needed before a class is chosen over `general`. Default 1.
    public var minimumScore: Int

    public init(rules: [Rule] = PromptClassifier.defaultRules, minimumScore: Int = 1) {
        self.rules = rules
        self.minimumScore = minimumScore
    }

    /// The built-in cues.
    public static let defaultRules: [Rule] = [
        Rule(
            .code,
            cues: [
                "```", "func ", "def ", "class ", "function", "compile", "compiler", "stack trace", "exception",
                "bug", "debug", "refactor", "unit test", "regex", "sql", "python", "swift", "javascript",
                "typescript", "java ", "rust", "golang", "c++", "api", "json", "code", "script", "syntax", "=>",
                "();", "import ",
            ]),
        Rule(
            .writing,
            cues: [
                "write", "essay", "poem", "story", "blog", "email", "letter", "rewrite", "draft", "tone",
                "headline", "slogan", "paragraph", "proofread", "edit my", "novel", "lyrics", "cover letter",
            ]),
        Rule(
            .analysis,
            cues: [
                "analyze", "analyse", "analysis", "compare", "evaluate", "assess", "pros and cons", "trade-off",
                "tradeoff", "trend", "data", "statistics", "forecast", "summarize", "summarise", "explain why",
                "root cause", "insight", "metrics",
            ]),
    ]

    /// Classifies a request from its user messages.
    public func classify(_ request: ChatRequest) -> Classification {
        var text = ""
        for message in request.messages where message.role == .user {
            if let content = message.content {
                text += content
                text += "\n"
            }
        }
        return classify(text)
    }

    /// Classifies a text.
    public func classify(_ text: String) -> Classification {
        let lowered = text.lowercased()
        var best = Classification(promptClass: .general, matchedCues: [])
        for rule in rules {
            let matched = rule.cues.filter { lowered.contains($0) }
            if matched.count >= minimumScore, matched.count > best.matchedCues.count {
                best = Classification(promptClass: rule.promptClass, matchedCues: matched)
            }
        }
        return best
    }
}
