import Yams
import SwitchyardCore

/// A YAML mapping whose keys were all checked against the allowed ones.
///
/// Merge keys (`<<: *anchor`) are honoured: the merged mapping's keys count as if written here, and keys written
/// here win.
package struct ConfigMapping {
    /// The mapping itself (for errors about the whole mapping, such as a missing key).
    package let value: ConfigValue
    private var entries: [(key: String, value: Node)] = []

    /// - Parameters:
    ///   - allowedKeys: the keys the mapping may have.
    ///   - listedKeys: the keys an unknown key's error lists and suggests; `allowedKeys` unless given (a provider
    ///     entry lists only its kind's keys).
    ///   - ignoringExtensionKeys: skip keys starting with `x-` (places to define YAML anchors).
    package init(
        _ value: ConfigValue, allowedKeys: [String], listedKeys: [String]? = nil, ignoringExtensionKeys: Bool = false
    ) throws {
        let listedKeys = listedKeys ?? allowedKeys
        self.value = value
        if value.isNull { return }
        guard case .mapping(let mapping) = value.node else {
            throw value.expected("a mapping with keys \(allowedKeys.joined(separator: ", "))")
        }
        var seen = Set<String>()
        for (keyNode, child) in Self.flatten(mapping, path: value.path) {
            let keyValue = ConfigValue(keyNode, path: value.path)
            guard let key = keyValue.text else {
                throw keyValue.error(.wrongType, "expected a plain key, got \(keyValue.shown)")
            }
            if ignoringExtensionKeys, key.hasPrefix("x-") { continue }
            guard allowedKeys.contains(key) else {
                var message = "unknown key '\(key)'"
                if let suggestion = Suggestion.closest(to: key, among: listedKeys) {
                    message += " (did you mean '\(suggestion)'?)"
                }
                message += " (expected one of: \(listedKeys.joined(separator: ", ")))"
                throw keyValue.error(.unknownKey, message)
            }
            if seen.insert(key).inserted { entries.append((key, child)) }
        }
    }

    /// The pairs of `mapping`, own keys first, then those of merged mappings (first merge wins).
    private static func flatten(_ mapping: Node.Mapping, path: String) -> [(Node, Node)] {
        var own: [(Node, Node)] = []
        var merged: [(Node, Node)] = []
        for (key, child) in mapping {
            guard case .scalar(let scalar) = key, scalar.string == "<<", scalar.style == .plain else {
                own.append((key, child))
                continue
            }
            switch child {
            case .mapping(let inner): merged += flatten(inner, path: path)
            case .sequence(let list):
                for case .mapping(let inner) in list { merged += flatten(inner, path: path) }
            default: own.append((key, child))
            }
        }
        return own + merged
    }

    package func path(of key: String) -> String {
        value.path.isEmpty ? key : "\(value.path).\(key)"
    }

    /// The value under `key`, or `nil` when the key is absent.
    package subscript(key: String) -> ConfigValue? {
        entries.first { $0.key == key }.map { ConfigValue($0.value, path: path(of: key)) }
    }

    /// The value under `key`, or `nil` when the key is absent or null.
    package func present(_ key: String) -> ConfigValue? {
        guard let child = self[key], !child.isNull else { return nil }
        return child
    }

    /// The value under `key`, which must be there and not null.
    package func required(_ key: String, _ what: String) throws -> ConfigValue {
        guard let child = present(key) else {
            throw ConfigError(
                code: .missingKey, path: path(of: key), message: "required key missing (expected \(what))",
                line: value.node.mark?.line, column: value.node.mark?.column)
        }
        return child
    }

    /// An error about `key`, placed on its value when it is there and on the mapping otherwise.
    package func error(at key: String, _ code: ConfigError.Code, _ message: String) -> ConfigError {
        let target = self[key] ?? value
        let mark = target.node.mark
        return ConfigError(code: code, path: path(of: key), message: message, line: mark?.line, column: mark?.column)
    }

    /// Reads `key` with `read` into `target` when it is present and not null; leaves `target` alone otherwise.
    package func read<T>(_ key: String, into target: inout T, _ read: (ConfigValue) throws -> T) throws {
        if let child = present(key) { target = try read(child) }
    }
}
