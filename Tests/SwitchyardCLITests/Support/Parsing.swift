import Foundation

/// Reading the CLI's JSON and CSV output in tests.
enum Parse {
    /// The JSON document as Foundation objects.
    static func json(_ text: String) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
    }

    static func jsonObject(_ text: String) throws -> [String: Any] {
        guard let object = try json(text) as? [String: Any] else { throw TestFailure("not a JSON object: \(text)") }
        return object
    }

    static func jsonArray(_ text: String) throws -> [[String: Any]] {
        guard let array = try json(text) as? [[String: Any]] else { throw TestFailure("not a JSON array: \(text)") }
        return array
    }

    /// RFC 4180 CSV: the header and the records, each as a dictionary keyed by the header.
    static func csv(_ text: String) throws -> (header: [String], records: [[String: String]]) {
        var rows: [[String]] = []
        var row: [String] = []
        var field = ""
        var quoted = false
        var characters = text.makeIterator()
        var pending: Character?
        while let character = pending ?? characters.next() {
            pending = nil
            if quoted {
                if character == "\"" {
                    let next = characters.next()
                    if next == "\"" { field.append("\"") } else { quoted = false; pending = next }
                } else {
                    field.append(character)
                }
            } else if character == "\"" {
                quoted = true
            } else if character == "," {
                row.append(field)
                field = ""
            } else if character == "\n" {
                row.append(field)
                rows.append(row)
                row = []
                field = ""
            } else {
                field.append(character)
            }
        }
        guard row.isEmpty, field.isEmpty, !quoted else { throw TestFailure("CSV does not end with a line break") }
        guard let header = rows.first else { throw TestFailure("CSV without a header") }
        let records = try rows.dropFirst().map { record in
            guard record.count == header.count else { throw TestFailure("CSV row \(record) has the wrong width") }
            return Dictionary(uniqueKeysWithValues: zip(header, record))
        }
        return (header, records)
    }
}
