/// The order the reports list their rows in, the same whatever the engine: text bytewise (UTF-8, as SQLite's
/// `BINARY` collation; a PostgreSQL database's collation may be a locale's), an absent value before any text (as
/// SQLite puts NULL first; PostgreSQL puts it last). The reports sort in Swift rather than in SQL for that.
enum LedgerOrder {
    /// Whether `lhs` comes before `rhs`.
    static func precedes(_ lhs: String?, _ rhs: String?) -> Bool {
        switch (lhs, rhs) {
        case (nil, nil), (_?, nil): false
        case (nil, _?): true
        case (let lhs?, let rhs?): lhs.utf8.lexicographicallyPrecedes(rhs.utf8)
        }
    }

    /// Whether `lhs` comes before `rhs`, compared value by value.
    static func precedes(_ lhs: [String?], _ rhs: [String?]) -> Bool {
        for (left, right) in zip(lhs, rhs) {
            if precedes(left, right) { return true }
            if precedes(right, left) { return false }
        }
        return lhs.count < rhs.count
    }
}
