/// A ``RouterConfiguration`` that cannot work, with the offending name.
public struct RouterConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Where the problem is (`routes[default].tiers[0].targets[1]`).
    public var path: String
    public var message: String

    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { "\(path): \(message)" }
}
