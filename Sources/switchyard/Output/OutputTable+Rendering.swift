import Foundation

extension OutputTable {
    /// The table in `format`. JSON is an array of objects keyed by column; use ``jsonRows`` to embed it elsewhere.
    func rendered(as format: OutputFormat) -> String {
        switch format {
        case .table: alignedText()
        case .csv: csv()
        case .json: JSONOutput.array(jsonRows).rendered()
        }
    }

    /// Each row as a JSON object keyed by the columns' keys.
    var jsonRows: [JSONOutput] {
        rows.map { row in .object(zip(columns, row).map { ($0.key, $1.json) }) }
    }

    /// Columns separated by two spaces, figures right-aligned, a `(no rows)` line when empty, and the footer
    /// under a rule of dashes.
    func alignedText() -> String {
        let body = rows.map { $0.map(\.tableText) }
        let footerText = footer?.map(\.tableText)
        var widths = columns.map(\.title.count)
        for row in body + (footerText.map { [$0] } ?? []) {
            for (index, text) in row.enumerated() where index < widths.count {
                widths[index] = max(widths[index], text.count)
            }
        }
        func line(_ texts: [String]) -> String {
            var parts: [String] = []
            for (index, column) in columns.enumerated() {
                let text = index < texts.count ? texts[index] : ""
                let padding = String(repeating: " ", count: widths[index] - text.count)
                parts.append(column.alignment == .right ? padding + text : text + padding)
            }
            return String(parts.joined(separator: "  ").trimmingTrailingSpaces()) + "\n"
        }
        var output = line(columns.map(\.title))
        for row in body { output += line(row) }
        if body.isEmpty { output += "(no rows)\n" }
        if let footerText {
            output += line(widths.map { String(repeating: "-", count: $0) })
            output += line(footerText)
        }
        return output
    }

    /// A header row of column keys, then one line per row (no footer). Fields that hold a comma, a quote, a line
    /// break or surrounding spaces are quoted, quotes doubled (RFC 4180); lines end with `\n`.
    func csv() -> String {
        var output = columns.map { Self.csvField($0.key) }.joined(separator: ",") + "\n"
        for row in rows {
            output += row.map { Self.csvField($0.csvText) }.joined(separator: ",") + "\n"
        }
        return output
    }

    static func csvField(_ text: String) -> String {
        let needsQuotes =
            text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
            || text.first == " " || text.last == " "
        guard needsQuotes else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

extension String {
    fileprivate func trimmingTrailingSpaces() -> Substring {
        var end = endIndex
        while end > startIndex, self[index(before: end)] == " " { end = index(before: end) }
        return self[startIndex..<end]
    }
}
