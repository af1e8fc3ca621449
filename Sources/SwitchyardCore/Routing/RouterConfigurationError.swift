/// A ``RouterConfiguration`` that cannot work, with where and why.
///
/// Match on ``code`` (stable) rather than on ``message`` (worded for people, may change).
public struct RouterConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of problem. New kinds may be added, so do not switch over them exhaustively.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        /// A short, stable identifier such as `duplicate`.
        public let description: String
        private init(_ description: String) { self.description = description }

        /// A value that is not allowed: an empty list, a malformed name.
        public static let invalidValue = Code("invalid_value")
        /// A name used twice where names must be unique.
        public static let duplicate = Code("duplicate")
        /// A name that refers to nothing: an unknown provider, model or route.
        public static let unknownReference = Code("unknown_reference")
        /// A provider of the configuration was given no implementation.
        public static let missingProvider = Code("missing_provider")
    }

    public var code: Code
    /// Where the problem is, as a key path of the configuration file (`routes[0].tiers[1].targets[0]`).
    public var path: String
    public var message: String

    init(_ code: Code = .invalidValue, path: String, message: String) {
        self.code = code
        self.path = path
        self.message = message
    }

    public var description: String { "\(path): \(message)" }
}
