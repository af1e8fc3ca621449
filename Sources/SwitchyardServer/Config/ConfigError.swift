/// A configuration that cannot work, with the path of the offending key. (Placeholder until the YAML loader lands.)
public struct ConfigError: Error, Sendable, Hashable, CustomStringConvertible {
    public var path: String
    public var message: String
    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }
    public var description: String { "\(path): \(message)" }
}
