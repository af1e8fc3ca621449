import class Foundation.ProcessInfo

/// A provider's API key, kept out of every description, log line and error message.
///
/// Printing, interpolating or dumping an `APIKey` shows `APIKey(****)`. Only the providers of this module read the
/// value, to put it in a request header.
///
/// ```swift
/// let key = try APIKey.fromEnvironment(named: "OPENAI_API_KEY")
/// ```
public struct APIKey: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The secret itself; internal so that only the providers' request builders can read it.
    let value: String

    /// Wraps a key value. Prefer ``fromEnvironment(named:environment:)`` so that keys never sit in a config file.
    public init(_ value: String) {
        self.value = value
    }

    /// Reads the key from the environment variable `name`.
    ///
    /// - Parameters:
    ///   - name: the variable's name, as written in the config file (`api_key_env`).
    ///   - environment: the variables to read; the process environment by default.
    /// - Throws: ``MissingAPIKeyError`` naming the variable (never a value) when it is unset or blank.
    public static func fromEnvironment(
        named name: String,
        environment: [String: String] = ProcessEnvironment.current
    ) throws(MissingAPIKeyError) -> APIKey {
        guard let value = environment[name]?.trimmingWhitespace(), !value.isEmpty else {
            throw MissingAPIKeyError(variable: name)
        }
        return APIKey(value)
    }

    public var description: String { "APIKey(****)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["value": "****"]) }
}

/// The environment variable that should hold a provider's API key is unset or empty.
public struct MissingAPIKeyError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The variable's name.
    public var variable: String

    public init(variable: String) {
        self.variable = variable
    }

    public var description: String {
        "the environment variable \(variable) is not set or is empty; export it with the provider's API key"
    }
}

/// Access to the process environment, kept in one place so tests can pass their own dictionary instead.
public enum ProcessEnvironment {
    /// The variables of the running process.
    public static var current: [String: String] { ProcessInfo.processInfo.environment }
}

extension String {
    func trimmingWhitespace() -> String {
        var text = Substring(self)
        while let first = text.first, first.isWhitespace { text.removeFirst() }
        while let last = text.last, last.isWhitespace { text.removeLast() }
        return String(text)
    }
}
