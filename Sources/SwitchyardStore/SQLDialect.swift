/// The SQL engine a ``LedgerReader`` runs its statements on, for the few expressions the two engines spell
/// differently. Everything else the reports run is SQL both engines read alike (`substr`, `CASE`, `coalesce`,
/// window functions); a difference belongs here, not in a report.
package enum SQLDialect: Sendable, Hashable {
    case sqlite
    case postgres

    /// The Monday of the UTC ISO week of `timestamp` (a ledger timestamp, `YYYY-MM-DD HH:MM:SS.SSS`), as
    /// `YYYY-MM-DD`.
    package func isoWeekStart(of timestamp: String) -> String {
        switch self {
        // 'weekday 0' moves forward to the Sunday ending the week (or stays on it): six days before is its Monday.
        case .sqlite: "date(\(timestamp), 'weekday 0', '-6 days')"
        case .postgres: "to_char(date_trunc('week', (\(timestamp))::timestamp), 'YYYY-MM-DD')"
        }
    }

    /// `sql` with its `?` placeholders (the reports' convention) written as this engine takes them: as they are for
    /// SQLite, `$1`, `$2`, ... in order for PostgreSQL. A `?` inside a quoted literal or identifier is left alone.
    package func placeholders(in sql: String) -> String {
        guard self == .postgres else { return sql }
        var result = ""
        result.reserveCapacity(sql.utf8.count + 8)
        var quote: Character?
        var index = 0
        for character in sql {
            if let open = quote {
                if character == open { quote = nil }
                result.append(character)
            } else if character == "'" || character == "\"" {
                quote = character
                result.append(character)
            } else if character == "?" {
                index += 1
                result += "$\(index)"
            } else {
                result.append(character)
            }
        }
        return result
    }
}
