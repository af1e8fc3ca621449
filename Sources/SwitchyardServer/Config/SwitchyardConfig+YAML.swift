import Foundation
import SwitchyardCore
import SwitchyardSettings
import Yams

extension SwitchyardConfig {
    /// Reads a configuration from YAML text, filling in every default and checking every key and value.
    ///
    /// Unknown keys, values of the wrong type or out of range, and names that refer to nothing are rejected with
    /// a ``ConfigError`` that names the key path and what was expected. See `docs/configuration.md`.
    ///
    /// ```swift
    /// let config = try SwitchyardConfig(yaml: """
    ///     providers:
    ///       - name: local
    ///         kind: simulated
    ///         models: [small]
    ///     """)
    /// ```
    public init(yaml: String) throws {
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch {
            throw ConfigError(yamlError: error)
        }
        self = try Self.read(ConfigValue(root ?? Node(""), path: ""))
    }

    /// Reads the configuration file at `path`.
    ///
    /// - Throws: ``ConfigError`` (with ``ConfigError/file`` set) when the file cannot be read or is not valid.
    public static func load(path: String) throws -> SwitchyardConfig {
        guard FileManager.default.fileExists(atPath: path) else {
            throw ConfigError(code: .unreadable, path: "", message: "no such configuration file", file: path)
        }
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigError(
                code: .unreadable, path: "", message: "cannot read the configuration file as UTF-8 text", file: path)
        }
        do {
            return try SwitchyardConfig(yaml: text)
        } catch var error as ConfigError {
            error.file = path
            throw error
        }
    }

    static func read(_ root: ConfigValue) throws -> SwitchyardConfig {
        var config = SwitchyardConfig()
        try settings.read(root.mapping(keys: settings.names, ignoringExtensionKeys: true), into: &config)
        try config.resolvePrices(root)
        do {
            _ = try RouterTopology(config.routerConfiguration)
        } catch {
            throw ConfigError(error, in: root)
        }
        return config
    }
}

extension ConfigError {
    /// A topology problem, placed on the line of the key path it names (or of the nearest part of it written).
    init(_ error: RouterConfigurationError, in root: ConfigValue) {
        let code: ConfigError.Code =
            switch error.code {
            case .duplicate: .duplicate
            case .unknownReference: .unknownReference
            default: .invalidValue
            }
        let mark = root.descendant(at: error.path).node.mark
        self.init(code: code, path: error.path, message: error.message, line: mark?.line, column: mark?.column)
    }
}

extension ConfigError {
    /// Wraps what Yams threw for text that is not YAML.
    init(yamlError: any Error) {
        switch yamlError as? YamlError {
        case .scanner(let context, let problem, let mark, _)?, .parser(let context, let problem, let mark, _)?,
            .composer(let context, let problem, let mark, _)?:
            let detail = context.map { " \($0.text)" } ?? ""
            self.init(
                code: .syntax, path: "", message: "invalid YAML: \(problem)\(detail)", line: mark.line,
                column: mark.column)
        case .duplicatedKeysInMapping(let duplicates, let context)?:
            let keys = duplicates.sorted().map { "'\($0)'" }.joined(separator: ", ")
            self.init(
                code: .duplicate, path: "", message: "a key appears twice in one mapping: \(keys)",
                line: context.mark.line, column: context.mark.column)
        case .reader(let problem, _, _, _)?:
            self.init(code: .syntax, path: "", message: "invalid YAML text: \(problem)")
        default:
            self.init(code: .syntax, path: "", message: "invalid YAML: \(yamlError)")
        }
    }
}
