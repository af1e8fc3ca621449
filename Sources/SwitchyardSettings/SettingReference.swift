import Foundation

/// One row of the configuration reference: a key's full path, its default and what it means.
package struct SettingReference: Sendable, Hashable {
    /// `defaults.retry.max_attempts`; list items are written `providers[].name`.
    package var key: String
    /// The default as YAML text (`3`, `null`, `[a, b]`); empty for a required key.
    package var defaultValue: String
    package var summary: String

    package init(key: String, defaultValue: String, summary: String) {
        self.key = key
        self.defaultValue = defaultValue
        self.summary = summary
    }
}

extension [SettingReference] {
    /// The rows as a Markdown table (`| key | default | meaning |`).
    package func markdownTable() -> String {
        var lines = ["| key | default | meaning |", "|---|---|---|"]
        for row in self {
            let value =
                row.defaultValue.isEmpty ? "**required**" : "`\(row.defaultValue.replacingOccurrences(of: "|", with: "\\|"))`"
            lines.append("| `\(row.key)` | \(value) | \(row.summary.replacingOccurrences(of: "|", with: "\\|")) |")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
