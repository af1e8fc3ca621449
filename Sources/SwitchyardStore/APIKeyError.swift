/// A key that cannot be created as asked. (Failures of the database itself are ``LedgerError``s.)
///
/// Compare ``code`` (stable) rather than the message, which is for people.
public struct APIKeyError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A stable, machine-readable error code. Its `rawValue` is what the HTTP and CLI layers print.
    public struct Code: RawRepresentable, Sendable, Hashable, Codable, CustomStringConvertible {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// The user id is empty, too long, or has control characters.
        public static let invalidUser = Code(rawValue: "api_key_invalid_user")
        /// The key's name is too long or has control characters.
        public static let invalidName = Code(rawValue: "api_key_invalid_name")
        /// No unused key could be drawn (only possible with a broken random source).
        /// A team name that is empty, too long or has control characters.
        public static let invalidTeam = Code(rawValue: "api_key_invalid_team")
        public static let generationFailed = Code(rawValue: "api_key_generation_failed")
    }

    /// What went wrong, as a stable code.
    public var code: Code
    /// What went wrong and what to do about it, for people.
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }
}
