/// A read-only ledger query that was refused or failed.
///
/// ```swift
/// do { _ = try await database.query("DELETE FROM ledger") }
/// catch let error as SQLQueryError { print(error.code) }   // sql_not_allowed
/// ```
public struct SQLQueryError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A stable, machine-readable error code.
    public struct Code: RawRepresentable, Sendable, Hashable, Codable, CustomStringConvertible {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// The text holds no statement (only blanks or comments).
        public static let empty = Code(rawValue: "sql_empty")
        /// The text holds more than one statement; send one `SELECT` (or `WITH ... SELECT`) at a time.
        public static let multipleStatements = Code(rawValue: "sql_multiple_statements")
        /// The engine could not compile the statement (syntax error, unknown table or column).
        public static let invalid = Code(rawValue: "sql_invalid")
        /// The statement would write, attach a file, change settings or call a forbidden function.
        public static let notAllowed = Code(rawValue: "sql_not_allowed")
        /// The statement ran longer than the time limit and was interrupted.
        public static let timeout = Code(rawValue: "sql_timeout")
        /// The statement failed while running.
        public static let failed = Code(rawValue: "sql_failed")
        /// The ledger could not be opened for reading (the SQLite file) or reached (the PostgreSQL server).
        public static let unavailable = Code(rawValue: "sql_unavailable")
    }

    public var code: Code
    /// What was wrong and how to fix the query, for people.
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }
}
