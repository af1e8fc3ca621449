/// A configuration that cannot be used, with the key path of the problem and what was expected.
///
/// ```
/// switchyard.yaml:14: providers[1].models[0].input_usd_per_mtok: expected a non-negative dollar amount, got "abc"
/// ```
///
/// Match on ``code`` (stable) rather than on ``message`` (worded for people, may change).
public struct ConfigError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of problem. New kinds may be added, so do not switch over them exhaustively.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable, Hashable {
            case unreadable = "unreadable"
            case syntax = "syntax"
            case unknownKey = "unknown_key"
            case missingKey = "missing_key"
            case wrongType = "wrong_type"
            case invalidValue = "invalid_value"
            case duplicate = "duplicate"
            case unknownReference = "unknown_reference"
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The file could not be read.
        public static let unreadable = Code(.unreadable)
        /// The text is not valid YAML.
        public static let syntax = Code(.syntax)
        /// A key that the section does not have (often a typo).
        public static let unknownKey = Code(.unknownKey)
        /// A required key is absent.
        public static let missingKey = Code(.missingKey)
        /// A value of the wrong shape: text where a number was expected, a list where a mapping was expected.
        public static let wrongType = Code(.wrongType)
        /// A value of the right shape that is not allowed: out of range, not one of the choices, empty.
        public static let invalidValue = Code(.invalidValue)
        /// A name used twice where names must be unique.
        public static let duplicate = Code(.duplicate)
        /// A name that refers to nothing: an unknown provider, model, route or tier.
        public static let unknownReference = Code(.unknownReference)

        /// A short, stable identifier such as `unknown_key`.
        public var description: String { base.rawValue }
    }

    public var code: Code
    /// Where the problem is, e.g. `routes[0].tiers[1].targets[0]`. Empty for the whole document.
    public var path: String
    /// What is wrong and what was expected.
    public var message: String
    /// The file the configuration came from, when it was loaded from one.
    public var file: String?
    /// 1-based line of the offending key or value, when known.
    public var line: Int?
    /// 1-based column of the offending key or value, when known.
    public var column: Int?

    public init(
        code: Code,
        path: String,
        message: String,
        file: String? = nil,
        line: Int? = nil,
        column: Int? = nil
    ) {
        self.code = code
        self.path = path
        self.message = message
        self.file = file
        self.line = line
        self.column = column
    }

    /// `file:line: path: message`, leaving out what is unknown.
    public var description: String {
        var location = ""
        switch (file, line) {
        case (let file?, let line?): location = "\(file):\(line): "
        case (let file?, nil): location = "\(file): "
        case (nil, let line?): location = "line \(line): "
        case (nil, nil): break
        }
        return "\(location)\(path.isEmpty ? "(top level)" : path): \(message)"
    }
}
