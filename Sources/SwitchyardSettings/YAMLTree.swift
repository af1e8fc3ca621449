import Foundation
package import SwitchyardCore
package import Yams

/// Small constructors for the YAML tree that ``SwitchyardConfig/effectiveYAML()`` prints.
package enum YAMLTree {
    package static var null: Node { Node("null") }

    package static func string(_ text: String) -> Node { .scalar(text.represented()) }
    package static func int(_ number: some BinaryInteger) -> Node { Node(String(number)) }
    package static func number(_ number: Double) -> Node {
        Node(number == number.rounded() && abs(number) < 1e15 ? String(Int(number)) : "\(number)")
    }
    package static func bool(_ flag: Bool) -> Node { Node(flag ? "true" : "false") }
    package static func milliseconds(_ duration: Duration) -> Node { Node(String(duration.wholeMilliseconds)) }
    package static func optional<T>(_ value: T?, _ node: (T) -> Node) -> Node { value.map(node) ?? null }

    /// Dollars with at least two and at most six decimals: `1.00`, `0.15`, `0.000001`.
    package static func dollars(_ amount: MicroDollars) -> Node {
        var text = amount.decimalString
        while text.hasSuffix("0"), text.split(separator: ".").last.map({ $0.count > 2 }) == true { text.removeLast() }
        return Node(text)
    }

    package static func mapping(_ pairs: [(String, Node)]) -> Node {
        Node(pairs.map { (Node($0.0), $0.1) })
    }

    package static func list(_ items: [Node]) -> Node { Node(items) }

    /// A one-line `[a, b]` list.
    package static func flowList(_ items: [Node]) -> Node { Node(items, Tag(.seq), .flow) }

    /// `base_url` with any user info and query values replaced by `***`.
    package static func maskedURL(_ text: String) -> String {
        guard var components = URLComponents(string: text) else { return text }
        var masked = false
        if components.user != nil || components.password != nil {
            components.user = "***"
            components.password = nil
            masked = true
        }
        if let items = components.queryItems, !items.isEmpty {
            components.queryItems = items.map { URLQueryItem(name: $0.name, value: "***") }
            masked = true
        }
        return masked ? components.string ?? "***" : text
    }
}

extension YAMLTree {
    /// A node on one line, for the reference: a scalar's text, `[a, b]` for a list, `{k: v}` for a mapping.
    package static func inlineText(_ node: Node) -> String {
        switch node {
        case .scalar(let scalar): return scalar.string
        case .sequence(let sequence): return "[" + sequence.map(inlineText).joined(separator: ", ") + "]"
        case .mapping(let mapping):
            return "{" + mapping.map { "\(inlineText($0.key)): \(inlineText($0.value))" }.joined(separator: ", ") + "}"
        case .alias: return ""
        }
    }
}
