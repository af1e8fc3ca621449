/// One row of a report's statement, read by column index as the report expects it: the same on both engines
/// (``SQLValue`` already makes PostgreSQL's `bigint` and whole `numeric` integers, as SQLite returns them).
package struct LedgerRow: Sendable, Hashable {
    package var values: [SQLValue]

    package init(values: [SQLValue]) {
        self.values = values
    }

    /// The integer in column `index`; `nil` for NULL.
    ///
    /// - Throws: ``LedgerError/Code/databaseError`` for any other value (a sum past 64 bits, say).
    package func optionalInteger(_ index: Int) throws -> Int64? {
        switch try value(index) {
        case .null: return nil
        case .integer(let value): return value
        case let other: throw LedgerError(.databaseError, "column \(index) is \(other), not an integer")
        }
    }

    /// The integer in column `index`.
    package func integer(_ index: Int) throws -> Int64 {
        guard let value = try optionalInteger(index) else {
            throw LedgerError(.databaseError, "column \(index) is NULL, not an integer")
        }
        return value
    }

    /// The integer in column `index`, as an `Int`.
    package func int(_ index: Int) throws -> Int { Int(try integer(index)) }

    /// The integer in column `index`, as an `Int`; `nil` for NULL.
    package func optionalInt(_ index: Int) throws -> Int? { try optionalInteger(index).map { Int($0) } }

    /// The text in column `index`; `nil` for NULL.
    package func optionalText(_ index: Int) throws -> String? {
        switch try value(index) {
        case .null: return nil
        case .text(let text): return text
        case let other: throw LedgerError(.databaseError, "column \(index) is \(other), not text")
        }
    }

    /// The text in column `index`.
    package func text(_ index: Int) throws -> String {
        guard let text = try optionalText(index) else {
            throw LedgerError(.databaseError, "column \(index) is NULL, not text")
        }
        return text
    }

    private func value(_ index: Int) throws -> SQLValue {
        guard values.indices.contains(index) else {
            throw LedgerError(.databaseError, "a row of \(values.count) columns has no column \(index)")
        }
        return values[index]
    }
}
