package import Yams

/// One key of a configuration mapping, declared once: its name and meaning, how its value is read (and checked),
/// how it is written back (for `switchyard config check`), and, through those, its default (for the reference).
///
/// Keys are grouped in a ``SettingsSection``, which checks a mapping's keys against them. Most keys are made with the
/// typed shorthands (``milliseconds(_:_:_:minimum:)``, ``int(_:_:_:in:_:)``, …); ``custom(_:_:read:write:)`` covers the
/// rest.
///
/// ```swift
/// extension QueueConfiguration {
///     static var settings: SettingsSection<QueueConfiguration> {
///         SettingsSection([
///             .int("max_length", \.maxLength, "Requests that may wait at once.", in: 0...Int.max, "a number of requests"),
///             .milliseconds("max_wait_ms", \.maxWait, "The longest a request waits for a provider."),
///         ])
///     }
/// }
/// ```
package struct SettingKey<Root> {
    /// The key as written in the file (`max_attempts`).
    package let name: String
    /// What the key means, for the reference.
    package let summary: String
    /// Reads the key's value, which is present (maybe `null`), into the root.
    let read: (ConfigValue, inout Root) throws -> Void
    /// What happens when the key is absent: `nil` leaves the root alone (the default stands).
    let absent: ((ConfigMapping, inout Root) throws -> Void)?
    /// The value in effect, or `nil` to leave the key out of the written configuration.
    let write: (Root) -> Node?
    /// The keys under this one (a nested section or a list of mappings), for the reference.
    let nested: ((Root, String) -> [SettingReference])?
    /// Whether the key must be written (it then has no default in the reference).
    var isRequired = false

    /// A key with its own reading and writing.
    ///
    /// - Parameters:
    ///   - read: reads the present value (it may be `null`) into the root.
    ///   - absent: called when the key is absent, e.g. to require it or to derive a default from other keys.
    ///   - write: the value to write back, `nil` to leave the key out.
    ///   - nested: the reference rows of the keys under this one, given the root and the key's path prefix.
    package static func custom(
        _ name: String,
        _ summary: String,
        read: @escaping (ConfigValue, inout Root) throws -> Void,
        absent: ((ConfigMapping, inout Root) throws -> Void)? = nil,
        write: @escaping (Root) -> Node?,
        nested: ((Root, String) -> [SettingReference])? = nil
    ) -> Self {
        Self(name: name, summary: summary, read: read, absent: absent, write: write, nested: nested)
    }

    /// A value at `path`, read by `read` and written by `write`. An absent or `null` value leaves the default.
    package static func value<Value>(
        _ name: String,
        _ path: WritableKeyPath<Root, Value>,
        _ summary: String,
        read: @escaping (ConfigValue) throws -> Value,
        write: @escaping (Value) -> Node
    ) -> Self {
        custom(
            name, summary,
            read: { value, root in if !value.isNull { root[keyPath: path] = try read(value) } },
            write: { write($0[keyPath: path]) })
    }

    /// An optional value at `path`: an explicit `null` clears it (written back as `null`).
    package static func optional<Value>(
        _ name: String, _ path: WritableKeyPath<Root, Value?>, _ summary: String,
        read: @escaping (ConfigValue) throws -> Value, write: @escaping (Value) -> Node
    ) -> Self {
        custom(
            name, summary,
            read: { value, root in root[keyPath: path] = value.isNull ? nil : try read(value) },
            write: { YAMLTree.optional($0[keyPath: path], write) })
    }

    /// A nested mapping at `path`, read over the value already there: keys written override, the rest stay (so a
    /// provider's `retry:` starts from `defaults.retry`). `null` reads as an empty mapping.
    package static func section<Value>(
        _ name: String,
        _ path: WritableKeyPath<Root, Value>,
        _ summary: String,
        _ section: SettingsSection<Value>
    ) -> Self {
        custom(
            name, summary,
            read: { value, root in try section.read(value, into: &root[keyPath: path]) },
            write: { section.node($0[keyPath: path]) },
            nested: { root, prefix in section.reference(root[keyPath: path], prefix: prefix + ".") })
    }

    /// The same key on an outer value that keeps this key's root at `path`.
    package func lifted<Outer>(_ path: WritableKeyPath<Outer, Root>) -> SettingKey<Outer> {
        let (read, absent, write, nested) = (self.read, self.absent, self.write, self.nested)
        return SettingKey<Outer>(
            name: name, summary: summary,
            read: { value, outer in try read(value, &outer[keyPath: path]) },
            absent: absent.map { absent in { map, outer in try absent(map, &outer[keyPath: path]) } },
            write: { write($0[keyPath: path]) },
            nested: nested.map { nested in { outer, prefix in nested(outer[keyPath: path], prefix) } },
            isRequired: isRequired)
    }

    /// The same key, required: its absence is a `missing_key` error expecting `what`.
    package func required(_ what: String) -> Self {
        let (name, read) = (self.name, self.read)
        return Self(
            name: name, summary: summary,
            read: { value, root in
                guard !value.isNull else { throw value.error(.missingKey, "required key missing (expected \(what))") }
                try read(value, &root)
            },
            absent: { map, _ in _ = try map.required(name, what) }, write: write, nested: nested, isRequired: true)
    }
}

// MARK: Typed keys

extension SettingKey {
    /// A whole number of milliseconds of at least `minimum` (key names end in `_ms`).
    package static func milliseconds(
        _ name: String, _ path: WritableKeyPath<Root, Duration>, _ summary: String, minimum: Int = 0
    ) -> Self {
        value(name, path, summary, read: { try $0.milliseconds(minimum: minimum) }, write: YAMLTree.milliseconds)
    }

    /// A whole number in `range`; `what` names it in errors ("a number of attempts").
    package static func int(
        _ name: String, _ path: WritableKeyPath<Root, Int>, _ summary: String, in range: ClosedRange<Int>,
        _ what: String
    ) -> Self {
        value(name, path, summary, read: { try $0.int(in: range, what) }, write: YAMLTree.int)
    }

    /// A decimal number in `range`.
    package static func double(
        _ name: String, _ path: WritableKeyPath<Root, Double>, _ summary: String, in range: ClosedRange<Double>,
        _ what: String
    ) -> Self {
        value(name, path, summary, read: { try $0.double(in: range, what) }, write: YAMLTree.number)
    }

    /// `true` or `false`.
    package static func bool(_ name: String, _ path: WritableKeyPath<Root, Bool>, _ summary: String) -> Self {
        value(name, path, summary, read: { try $0.bool() }, write: YAMLTree.bool)
    }

    /// Text; `what` names it in errors ("a host name").
    package static func string(
        _ name: String, _ path: WritableKeyPath<Root, String>, _ summary: String, _ what: String
    ) -> Self {
        value(name, path, summary, read: { try $0.string(what) }, write: YAMLTree.string)
    }

    /// One of `cases`, written as its raw value.
    package static func choice<Value: RawRepresentable>(
        _ name: String, _ path: WritableKeyPath<Root, Value>, _ summary: String, _ cases: [Value]
    ) -> Self where Value.RawValue == String {
        value(name, path, summary, read: { try $0.choice(cases) }, write: { YAMLTree.string($0.rawValue) })
    }
}
