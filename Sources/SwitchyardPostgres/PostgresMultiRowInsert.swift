import PostgresNIO

/// One `INSERT … VALUES (…), (…) …` of many rows, so a batch of events costs a few round trips rather than one per
/// event. Rows are appended as their bindings, `columns` values each.
struct PostgresMultiRowInsert {
    /// PostgreSQL's limit on a statement's parameters is 65,535; a statement holds at most this many rows.
    static let maxRows = 1_000

    /// `INSERT INTO table (column, …)`.
    let head: String
    /// What follows the values: `ON CONFLICT …`, or nothing.
    let tail: String
    let columns: Int
    private(set) var statements: [PostgresQuery] = []
    private var binds = PostgresBindings()
    private var rows = 0

    init(_ head: String, columns: Int, tail: String = "") {
        precondition(columns * Self.maxRows <= Int(UInt16.max), "too many columns for a multi-row insert")
        self.head = head
        self.columns = columns
        self.tail = tail
    }

    /// Appends one row; `bind` appends exactly ``columns`` values.
    mutating func row(_ bind: (inout PostgresBindings) -> Void) {
        bind(&binds)
        rows += 1
        precondition(binds.count == rows * columns, "a row of \(head) bound the wrong number of values")
        if rows == Self.maxRows { close() }
    }

    /// The statements to run, in order: one per ``maxRows`` rows.
    mutating func finish() -> [PostgresQuery] {
        close()
        return statements
    }

    private mutating func close() {
        guard rows > 0 else { return }
        var values: [String] = []
        values.reserveCapacity(rows)
        for row in 0..<rows {
            let first = row * columns + 1
            values.append("(" + (first..<first + columns).map { "$\($0)" }.joined(separator: ", ") + ")")
        }
        statements.append(
            PostgresQuery(unsafeSQL: "\(head) VALUES \(values.joined(separator: ", ")) \(tail)", binds: binds))
        binds = PostgresBindings()
        rows = 0
    }
}
