package import Yams

/// The keys of one configuration mapping, in the order they are read and written, with an optional check across
/// them. It drives everything about the mapping: reading (unknown keys rejected with a suggestion), writing back,
/// and the reference table in `docs/configuration.md`.
package struct SettingsSection<Root> {
    package var keys: [SettingKey<Root>]
    /// Runs after the keys are read, for rules between them (`max_backoff_ms` at least `initial_backoff_ms`).
    var check: ((ConfigMapping, Root) throws -> Void)?

    package init(_ keys: [SettingKey<Root>], check: ((ConfigMapping, Root) throws -> Void)? = nil) {
        self.keys = keys
        self.check = check
    }

    /// The key names, in order.
    package var names: [String] { keys.map(\.name) }

    /// Reads a mapping (or `null`, read as an empty one) over `root`: keys written replace the values there.
    package func read(_ value: ConfigValue, into root: inout Root) throws {
        try read(value.mapping(keys: names), into: &root)
    }

    /// Reads the keys of a mapping that was already checked, over `root`.
    package func read(_ map: ConfigMapping, into root: inout Root) throws {
        for key in keys {
            if let child = map[key.name] {
                try key.read(child, &root)
            } else {
                try key.absent?(map, &root)
            }
        }
        try check?(map, root)
    }

    /// The keys with their values in effect, in order.
    package func pairs(_ root: Root) -> [(String, Node)] {
        keys.compactMap { key in key.write(root).map { (key.name, $0) } }
    }

    /// ``pairs(_:)`` as a mapping.
    package func node(_ root: Root) -> Node {
        YAMLTree.mapping(pairs(root))
    }

    /// The reference rows of every key, nested ones included, with `root`'s values as the defaults.
    package func reference(_ root: Root, prefix: String = "") -> [SettingReference] {
        keys.flatMap { key -> [SettingReference] in
            let path = prefix + key.name
            if let nested = key.nested { return nested(root, path) }
            let value = key.isRequired ? "" : key.write(root).map(YAMLTree.inlineText) ?? ""
            return [SettingReference(key: path, defaultValue: value, summary: key.summary)]
        }
    }

    /// The same keys on an outer value that keeps this section's root at `path`.
    package func lifted<Outer>(_ path: WritableKeyPath<Outer, Root>) -> SettingsSection<Outer> {
        let check = self.check
        return SettingsSection<Outer>(
            keys.map { $0.lifted(path) },
            check: check.map { check in { map, outer in try check(map, outer[keyPath: path]) } })
    }
}
