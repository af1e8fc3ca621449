import Foundation
import SwitchyardCore
import Yams

/// One YAML node being read, with its key path (`providers[1].models[0]`) so that every error can say where it is.
///
/// The typed readers accept only what they document and throw a ``ConfigError`` naming the path and what was
/// expected otherwise. Numbers and money are read from the scalar's text, never through a YAML-resolved `Double`.
struct ConfigValue {
    let node: Node
    let path: String

    init(_ node: Node, path: String) {
        self.node = node
        self.path = path
    }

    // MARK: Shape

    /// A plain `~`, `null` or empty scalar.
    var isNull: Bool {
        guard case .scalar(let scalar) = node, scalar.style == .plain || scalar.style == .any else { return false }
        return ["", "~", "null", "Null", "NULL"].contains(scalar.string)
    }

    /// The text of a non-null scalar.
    var text: String? {
        guard case .scalar(let scalar) = node, !isNull else { return nil }
        return scalar.string
    }

    /// How the value is shown after "got" in an error.
    var shown: String {
        switch node {
        case .scalar(let scalar):
            if isNull { return "nothing (null)" }
            let text = scalar.string
            return "\"" + (text.count > 60 ? String(text.prefix(57)) + "..." : text) + "\""
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        }
    }

    /// The same node under a longer path, for errors about one part of it (`targets[1].name`).
    func at(_ key: String) -> ConfigValue {
        ConfigValue(node, path: "\(path).\(key)")
    }

    // MARK: Errors

    func error(_ code: ConfigError.Code, _ message: String, at mark: Mark? = nil) -> ConfigError {
        let mark = mark ?? node.mark
        return ConfigError(code: code, path: path, message: message, line: mark?.line, column: mark?.column)
    }

    /// `expected <what>, got <value>`.
    func expected(_ what: String, code: ConfigError.Code = .wrongType) -> ConfigError {
        error(code, "expected \(what), got \(shown)")
    }

    // MARK: Containers

    /// The value as a mapping whose keys must all be in `keys` (null reads as an empty mapping).
    func mapping(keys: [String], ignoringExtensionKeys: Bool = false) throws -> ConfigMapping {
        try ConfigMapping(self, allowedKeys: keys, ignoringExtensionKeys: ignoringExtensionKeys)
    }

    /// The value as a list (null reads as an empty list).
    func list(of what: String) throws -> [ConfigValue] {
        if isNull { return [] }
        guard case .sequence(let sequence) = node else { throw expected("a list of \(what)") }
        return sequence.enumerated().map { index, element in ConfigValue(element, path: "\(path)[\(index)]") }
    }

    // MARK: Scalars

    /// The text of any non-null scalar, quoted or not, exactly as written (not trimmed).
    func string(_ what: String = "a string", allowEmpty: Bool = false) throws -> String {
        guard let text else { throw expected(what) }
        guard allowEmpty || !text.isEmpty else { throw expected(what, code: .invalidValue) }
        return text
    }

    /// A name made of letters, digits, `.`, `_`, `-` and `:`, as used for providers, routes and tiers.
    func name(_ what: String) throws -> String {
        guard let text else { throw expected("a \(what) name") }
        guard !text.isEmpty, text.unicodeScalars.allSatisfy(Self.isNameCharacter) else {
            throw expected("a \(what) name made of letters, digits, '.', '_', '-' and ':'", code: .invalidValue)
        }
        return text
    }

    private static func isNameCharacter(_ scalar: Unicode.Scalar) -> Bool {
        scalar.isASCII
            && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar)
                || ".-_:".unicodeScalars.contains(scalar))
    }

    /// A whole number in `range`, written in decimal (`_` separators allowed, as in `1_048_576`).
    func int(in range: ClosedRange<Int>, _ what: String = "an integer") throws -> Int {
        let description = "\(what) \(Self.describe(range))"
        guard let text else { throw expected(description) }
        let digits = text.replacingOccurrences(of: "_", with: "")
        guard !digits.isEmpty, !text.hasPrefix("_"), let number = Int(digits) else { throw expected(description) }
        guard range.contains(number) else { throw expected(description, code: .invalidValue) }
        return number
    }

    /// A finite decimal number in `range`; integers are accepted.
    func double(in range: ClosedRange<Double>, _ what: String = "a number") throws -> Double {
        let description = "\(what) \(Self.describe(range))"
        guard let text, let number = Double(text), number.isFinite,
            text.unicodeScalars.allSatisfy({ "0123456789.-+eE".unicodeScalars.contains($0) })
        else { throw expected(description) }
        guard range.contains(number) else { throw expected(description, code: .invalidValue) }
        return number
    }

    /// A positive finite decimal number.
    func positiveDouble(_ what: String = "a number") throws -> Double {
        let number = try double(in: 0...Double.greatestFiniteMagnitude, what)
        guard number > 0 else { throw expected("\(what) greater than 0", code: .invalidValue) }
        return number
    }

    /// `true` or `false`.
    func bool() throws -> Bool {
        switch text?.lowercased() {
        case "true"?: return true
        case "false"?: return false
        default: throw expected("true or false")
        }
    }

    /// A dollar amount such as `1.00`, `0.15` or `0.000001`, converted exactly to micro-dollars.
    func dollars() throws -> MicroDollars {
        guard let text else { throw expected("a non-negative dollar amount") }
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        do {
            return try MicroDollars(parsing: trimmed)
        } catch {
            if trimmed.hasPrefix("-") { throw expected("a non-negative dollar amount", code: .invalidValue) }
            if let fraction = trimmed.split(separator: ".").dropFirst().first, fraction.count > 6,
                fraction.allSatisfy(\.isNumber)
            {
                throw expected(
                    "a dollar amount with at most six decimal places (one micro-dollar)", code: .invalidValue)
            }
            if trimmed.allSatisfy(\.isNumber) || (Double(trimmed) != nil && !trimmed.contains("e")) {
                throw expected("a dollar amount that is not so large", code: .invalidValue)
            }
            throw expected("a non-negative dollar amount")
        }
    }

    /// A whole number of milliseconds of at least `minimum`.
    func milliseconds(minimum: Int = 0) throws -> Duration {
        .milliseconds(try int(in: minimum...Int(Int32.max) * 1000, "a whole number of milliseconds"))
    }

    /// One of the raw values of `T`.
    func choice<T: RawRepresentable & CaseIterable>(_ type: T.Type) throws -> T where T.RawValue == String {
        try choice(Array(T.allCases))
    }

    /// One of the raw values of `cases`.
    func choice<T: RawRepresentable>(_ cases: [T]) throws -> T where T.RawValue == String {
        let choices = cases.map(\.rawValue)
        guard let text, let value = cases.first(where: { $0.rawValue == text }) else {
            var message = "expected one of: \(choices.joined(separator: ", ")), got \(shown)"
            if let text, let suggestion = Suggestion.closest(to: text, among: choices) {
                message += " (did you mean '\(suggestion)'?)"
            }
            throw error(text == nil ? .wrongType : .invalidValue, message)
        }
        return value
    }

    private static func describe(_ range: ClosedRange<Int>) -> String {
        range.upperBound >= Int(Int32.max)
            ? "of at least \(range.lowerBound)" : "in \(range.lowerBound)...\(range.upperBound)"
    }

    private static func describe(_ range: ClosedRange<Double>) -> String {
        range.upperBound == .greatestFiniteMagnitude
            ? "of at least \(plain(range.lowerBound))" : "in \(plain(range.lowerBound))...\(plain(range.upperBound))"
    }

    private static func plain(_ number: Double) -> String {
        number == number.rounded() && abs(number) < 1e15 ? String(Int(number)) : String(number)
    }
}

/// A YAML mapping whose keys were all checked against the allowed ones.
///
/// Merge keys (`<<: *anchor`) are honoured: the merged mapping's keys count as if written here, and keys written
/// here win.
struct ConfigMapping {
    /// The mapping itself (for errors about the whole mapping, such as a missing key).
    let value: ConfigValue
    private var entries: [(key: String, value: Node)] = []

    /// - Parameter ignoringExtensionKeys: skip keys starting with `x-` (places to define YAML anchors).
    init(_ value: ConfigValue, allowedKeys: [String], ignoringExtensionKeys: Bool = false) throws {
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
                if let suggestion = Suggestion.closest(to: key, among: allowedKeys) {
                    message += " (did you mean '\(suggestion)'?)"
                }
                message += " (expected one of: \(allowedKeys.joined(separator: ", ")))"
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

    func path(of key: String) -> String {
        value.path.isEmpty ? key : "\(value.path).\(key)"
    }

    /// The value under `key`, or `nil` when the key is absent.
    subscript(key: String) -> ConfigValue? {
        entries.first { $0.key == key }.map { ConfigValue($0.value, path: path(of: key)) }
    }

    /// The value under `key`, or `nil` when the key is absent or null.
    func present(_ key: String) -> ConfigValue? {
        guard let child = self[key], !child.isNull else { return nil }
        return child
    }

    /// The value under `key`, which must be there and not null.
    func required(_ key: String, _ what: String) throws -> ConfigValue {
        guard let child = present(key) else {
            throw ConfigError(
                code: .missingKey, path: path(of: key), message: "required key missing (expected \(what))",
                line: value.node.mark?.line, column: value.node.mark?.column)
        }
        return child
    }

    /// An error about `key`, placed on its value when it is there and on the mapping otherwise.
    func error(at key: String, _ code: ConfigError.Code, _ message: String) -> ConfigError {
        let target = self[key] ?? value
        let mark = target.node.mark
        return ConfigError(code: code, path: path(of: key), message: message, line: mark?.line, column: mark?.column)
    }

    /// Reads `key` with `read` when it is present and not null.
    func read<T>(_ key: String, _ read: (ConfigValue) throws -> T) throws -> T? {
        try present(key).map(read)
    }

    /// Reads `key` with `read` into `target` when it is present and not null; leaves `target` alone otherwise.
    func read<T>(_ key: String, into target: inout T, _ read: (ConfigValue) throws -> T) throws {
        if let child = present(key) { target = try read(child) }
    }

    /// Like ``read(_:into:_:)`` for an optional setting, where an explicit `null` clears it.
    func readOptional<T>(_ key: String, into target: inout T?, _ read: (ConfigValue) throws -> T) throws {
        guard let child = self[key] else { return }
        target = child.isNull ? nil : try read(child)
    }
}

/// "Did you mean" for misspelt keys and choices.
enum Suggestion {
    /// The candidate closest to `text`, when it is close enough to be a likely typo: at most a third of its
    /// characters (at least one) edited, and not all of them.
    static func closest(to text: String, among candidates: [String]) -> String? {
        let scored = candidates.map { ($0, distance(text.lowercased(), $0.lowercased())) }
        guard let best = scored.min(by: { $0.1 < $1.1 }), best.1 > 0, best.1 <= max(1, best.0.count / 3),
            best.1 < best.0.count
        else { return nil }
        return best.0
    }

    /// Edits (insertions, deletions, substitutions and swaps of neighbours) that turn `lhs` into `rhs`.
    static func distance(_ lhs: String, _ rhs: String) -> Int {
        let (a, b) = (Array(lhs), Array(rhs))
        if a.isEmpty || b.isEmpty { return max(a.count, b.count) }
        var table = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { table[i][0] = i }
        for j in 0...b.count { table[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                table[i][j] = min(table[i - 1][j] + 1, table[i][j - 1] + 1, table[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    table[i][j] = min(table[i][j], table[i - 2][j - 2] + 1)
                }
            }
        }
        return table[a.count][b.count]
    }
}
