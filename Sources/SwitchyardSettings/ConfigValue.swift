import Foundation
package import SwitchyardCore
package import Yams

/// One YAML node being read, with its key path (`providers[1].models[0]`) so that every error can say where it is.
///
/// The typed readers accept only what they document and throw a ``ConfigError`` naming the path and what was
/// expected otherwise. Numbers and money are read from the scalar's text, never through a YAML-resolved `Double`.
package struct ConfigValue {
    package let node: Node
    package let path: String

    package init(_ node: Node, path: String) {
        self.node = node
        self.path = path
    }

    // MARK: Shape

    /// A plain `~`, `null` or empty scalar.
    package var isNull: Bool {
        guard case .scalar(let scalar) = node, scalar.style == .plain || scalar.style == .any else { return false }
        return ["", "~", "null", "Null", "NULL"].contains(scalar.string)
    }

    /// The text of a non-null scalar.
    package var text: String? {
        guard case .scalar(let scalar) = node, !isNull else { return nil }
        return scalar.string
    }

    /// How the value is shown after "got" in an error.
    package var shown: String {
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
    package func at(_ key: String) -> ConfigValue {
        ConfigValue(node, path: "\(path).\(key)")
    }

    /// The node at `path` below this one (`routes[0].tiers[1].name`), or the deepest part of it that is written.
    package func descendant(at path: String) -> ConfigValue {
        var current = self
        for part in path.split(separator: ".") {
            let pieces = part.split(separator: "[", omittingEmptySubsequences: false)
            let key = String(pieces[0])
            if !key.isEmpty {
                guard case .mapping(let mapping) = current.node,
                    let child = mapping.first(where: { $0.key.string == key })?.value
                else { return current }
                current = ConfigValue(child, path: current.path.isEmpty ? key : "\(current.path).\(key)")
            }
            for index in pieces.dropFirst().compactMap({ Int($0.dropLast()) }) {
                guard case .sequence(let sequence) = current.node, sequence.indices.contains(index) else { return current }
                current = ConfigValue(sequence[index], path: "\(current.path)[\(index)]")
            }
        }
        return current
    }

    // MARK: Errors

    package func error(_ code: ConfigError.Code, _ message: String, at mark: Mark? = nil) -> ConfigError {
        let mark = mark ?? node.mark
        return ConfigError(code: code, path: path, message: message, line: mark?.line, column: mark?.column)
    }

    /// `expected <what>, got <value>`.
    package func expected(_ what: String, code: ConfigError.Code = .wrongType) -> ConfigError {
        error(code, "expected \(what), got \(shown)")
    }

    // MARK: Containers

    /// The value as a mapping whose keys must all be in `keys` (null reads as an empty mapping).
    package func mapping(keys: [String], ignoringExtensionKeys: Bool = false) throws -> ConfigMapping {
        try ConfigMapping(self, allowedKeys: keys, ignoringExtensionKeys: ignoringExtensionKeys)
    }

    /// The value as a list (null reads as an empty list).
    package func list(of what: String) throws -> [ConfigValue] {
        if isNull { return [] }
        guard case .sequence(let sequence) = node else { throw expected("a list of \(what)") }
        return sequence.enumerated().map { index, element in ConfigValue(element, path: "\(path)[\(index)]") }
    }

    // MARK: Scalars

    /// The text of any non-null scalar, quoted or not, exactly as written (not trimmed).
    package func string(_ what: String = "a string", allowEmpty: Bool = false) throws -> String {
        guard let text else { throw expected(what) }
        guard allowEmpty || !text.isEmpty else { throw expected(what, code: .invalidValue) }
        return text
    }

    /// A name made of letters, digits, `.`, `_`, `-` and `:`, as used for providers, routes and tiers.
    package func name(_ what: String) throws -> String {
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
    package func int(in range: ClosedRange<Int>, _ what: String = "an integer") throws -> Int {
        let description = "\(what) \(Self.describe(range))"
        guard let text else { throw expected(description) }
        let digits = text.replacingOccurrences(of: "_", with: "")
        guard !digits.isEmpty, !text.hasPrefix("_"), let number = Int(digits) else { throw expected(description) }
        guard range.contains(number) else { throw expected(description, code: .invalidValue) }
        return number
    }

    /// A finite decimal number in `range`; integers are accepted.
    package func double(in range: ClosedRange<Double>, _ what: String = "a number") throws -> Double {
        let description = "\(what) \(Self.describe(range))"
        guard let text, let number = Double(text), number.isFinite,
            text.unicodeScalars.allSatisfy({ "0123456789.-+eE".unicodeScalars.contains($0) })
        else { throw expected(description) }
        guard range.contains(number) else { throw expected(description, code: .invalidValue) }
        return number
    }

    /// A positive finite decimal number.
    package func positiveDouble(_ what: String = "a number") throws -> Double {
        let number = try double(in: 0...Double.greatestFiniteMagnitude, what)
        guard number > 0 else { throw expected("\(what) greater than 0", code: .invalidValue) }
        return number
    }

    /// `true` or `false`.
    package func bool() throws -> Bool {
        switch text?.lowercased() {
        case "true"?: return true
        case "false"?: return false
        default: throw expected("true or false")
        }
    }

    /// An `http://` or `https://` URL with a host, such as `example`.
    package func httpURL(example: String) throws -> String {
        let text = try string("an http:// or https:// URL")
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
            scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty
        else {
            throw expected("an http:// or https:// URL, such as \(example)", code: .invalidValue)
        }
        return text
    }

    /// A dollar amount such as `1.00`, `0.15` or `0.000001`, converted exactly to micro-dollars.
    package func dollars() throws -> MicroDollars {
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
    package func milliseconds(minimum: Int = 0) throws -> Duration {
        .milliseconds(try int(in: minimum...Int(Int32.max) * 1000, "a whole number of milliseconds"))
    }

    /// One of the raw values of `T`.
    package func choice<T: RawRepresentable & CaseIterable>(_ type: T.Type) throws -> T where T.RawValue == String {
        try choice(Array(T.allCases))
    }

    /// One of the raw values of `cases`.
    package func choice<T: RawRepresentable>(_ cases: [T]) throws -> T where T.RawValue == String {
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
