import Foundation
import SwitchyardCore

/// A JSON Schema validator for the keywords OpenAI's published definitions use (`specs/`), strict about the rest: a
/// keyword it does not know is reported as a violation, so a schema it cannot check never passes silently.
///
/// OpenAPI 3.0's `nullable: true`, which the 3.1 document still uses, reads as "or null" (the file's `_source` says
/// so). Annotations (descriptions, formats, defaults, examples, `discriminator`, `x-…`) are not checked.
struct JSONSchema {
    let schema: JSONValue

    /// The named definition of OpenAI's schema file.
    static func openAI(_ name: String) throws -> JSONSchema {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let data = try Data(contentsOf: root.appending(path: "specs/openai-chat-completions.schemas.json"))
        let file = try JSONDecoder().decode(JSONValue.self, from: data)
        guard let schema = file["schemas"]?[name] else { throw SchemaFileError(description: "no schema \(name)") }
        return JSONSchema(schema: schema)
    }

    struct SchemaFileError: Error, CustomStringConvertible { var description: String }

    /// Every way `value` breaks the schema, each as `path: what`; empty when it conforms.
    func violations(of value: JSONValue) -> [String] {
        var found: [String] = []
        check(value, against: schema, at: "$", into: &found)
        return found
    }

    /// Violations of `text`, parsed as JSON.
    func violations(ofJSON text: String) -> [String] {
        guard let value = JSONValue(parsing: text) else { return ["$: not JSON: \(text.prefix(200))"] }
        return violations(of: value)
    }

    private static let annotations: Set<String> = [
        "description", "title", "format", "default", "deprecated", "discriminator", "example", "examples",
        "readOnly", "writeOnly",
    ]

    private func check(_ value: JSONValue, against schema: JSONValue, at path: String, into found: inout [String]) {
        guard case .object(let keywords) = schema else {
            if case .bool(false) = schema { found.append("\(path): no value is allowed here") }
            return
        }
        if keywords["nullable"] == .bool(true), value == .null { return }
        for (keyword, argument) in keywords {
            switch keyword {
            case "type":
                let types = argument.array?.compactMap(\.string) ?? argument.string.map { [$0] } ?? []
                if !types.contains(where: { Self.has(value, type: $0) }) {
                    found.append("\(path): expected \(types.joined(separator: " or ")), found \(Self.describe(value))")
                }
            case "enum":
                if let allowed = argument.array, !allowed.contains(value) {
                    found.append("\(path): \(Self.describe(value)) is not one of \(Self.describe(argument))")
                }
            case "const":
                if value != argument { found.append("\(path): must be \(Self.describe(argument))") }
            case "required":
                if case .object(let object) = value {
                    for name in argument.array?.compactMap(\.string) ?? [] where object[name] == nil {
                        found.append("\(path): missing required \"\(name)\"")
                    }
                }
            case "properties":
                if case .object(let object) = value, case .object(let properties) = argument {
                    for (name, property) in properties {
                        if let member = object[name] { check(member, against: property, at: "\(path).\(name)", into: &found) }
                    }
                }
            case "additionalProperties":
                if case .object(let object) = value {
                    let declared = Set(keywords["properties"]?.objectKeys ?? [])
                    for (name, member) in object where !declared.contains(name) {
                        check(member, against: argument, at: "\(path).\(name)", into: &found)
                    }
                }
            case "items":
                if case .array(let items) = value {
                    for (index, item) in items.enumerated() {
                        check(item, against: argument, at: "\(path)[\(index)]", into: &found)
                    }
                }
            case "anyOf", "oneOf":
                let branches = argument.array ?? []
                let failures = branches.map { branch in
                    var branchFound: [String] = []
                    check(value, against: branch, at: path, into: &branchFound)
                    return branchFound
                }
                let matches = failures.filter(\.isEmpty).count
                if matches == 0 {
                    let closest = failures.min { $0.count < $1.count } ?? []
                    found.append("\(path): matches none of \(keyword) (closest: \(closest.joined(separator: "; ")))")
                } else if keyword == "oneOf", matches > 1 {
                    found.append("\(path): matches \(matches) branches of oneOf")
                }
            case "allOf":
                for branch in argument.array ?? [] { check(value, against: branch, at: path, into: &found) }
            case "nullable", "x-resolved-from":
                break
            default:
                if !Self.annotations.contains(keyword), !keyword.hasPrefix("x-") {
                    found.append("\(path): the validator does not know the keyword \"\(keyword)\"")
                }
            }
        }
    }

    private static func has(_ value: JSONValue, type: String) -> Bool {
        switch (type, value) {
        case ("null", .null), ("boolean", .bool), ("string", .string), ("array", .array), ("object", .object),
            ("number", .number):
            true
        case ("integer", .number(let number)): number.rounded() == number
        default: false
        }
    }

    private static func describe(_ value: JSONValue) -> String {
        guard let data = try? JSONEncoder().encode(value), let text = String(data: data, encoding: .utf8) else {
            return "\(value)"
        }
        return text.count > 120 ? String(text.prefix(120)) + "…" : text
    }
}

extension JSONValue {
    fileprivate var objectKeys: [String]? {
        guard case .object(let object) = self else { return nil }
        return Array(object.keys)
    }
}
