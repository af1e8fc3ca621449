import SwitchyardStore

/// The token-level check of a statement for ``PostgresLedger/query(_:rowLimit:timeout:)``: one query that only
/// reads, with nothing in it that has an effect a rolled-back read-only transaction does not undo.
///
/// It runs on the tokens of ``PostgresSQLLexer`` (comments and string constants are not looked at), and refuses
/// - a second statement (anything but `;` and comments after the first);
/// - a statement that does not start with `SELECT`, `WITH`, `VALUES`, `TABLE`, `(`, `EXPLAIN` or `SHOW`;
/// - anywhere: the words in ``deniedWords`` (`INSERT`, `UPDATE`, `DELETE`, `MERGE` — data-modifying `WITH` —, `INTO`
///   — `SELECT INTO` —, and what `EXPLAIN` could run: `CREATE`, `EXECUTE`, `DECLARE`), and `FOR SHARE` /
///   `FOR KEY SHARE` (row locks; `FOR UPDATE` is caught by `UPDATE`);
/// - anywhere, as a word or a quoted identifier, whether called or not: the functions in ``deniedFunctions`` and
///   those starting with ``deniedFunctionPrefixes``, which read or write the server's files, hold session-level
///   locks, signal other sessions, change settings beyond the transaction, or run SQL given as a string.
struct PostgresReadOnlyQuery: Sendable, Equatable {
    /// How the statement is run.
    enum Kind: Sendable, Equatable {
        /// A query a cursor can hold (`SELECT`, `WITH`, `VALUES`, `TABLE`): fetched through one, so the server stops
        /// after the row limit.
        case cursor
        /// `EXPLAIN` or `SHOW`: run as they are; their few rows are cut to the limit here.
        case direct
    }

    /// The statement to run: from its first token to its last, without the trailing `;` and comments.
    var statement: String
    var kind: Kind

    /// Statements that only read, by their first word.
    static let cursorStatements: Set<String> = ["select", "with", "values", "table"]
    static let directStatements: Set<String> = ["explain", "show"]

    /// The first words of PostgreSQL's other commands, refused as ``SQLQueryError/Code/notAllowed`` (any other first
    /// word is ``SQLQueryError/Code/invalid``).
    static let otherStatements: Set<String> = [
        "abort", "alter", "analyze", "analyse", "begin", "call", "checkpoint", "close", "cluster", "comment", "commit",
        "copy", "create", "deallocate", "declare", "delete", "discard", "do", "drop", "end", "execute", "fetch",
        "grant", "import", "insert", "listen", "load", "lock", "merge", "move", "notify", "prepare", "reassign",
        "refresh", "reindex", "release", "reset", "revoke", "rollback", "savepoint", "security", "set", "start",
        "truncate", "unlisten", "update", "vacuum",
    ]

    /// Words refused anywhere in the statement: a query that only reads never needs them.
    static let deniedWords: Set<String> = [
        "insert", "update", "delete", "merge", "into", "create", "execute", "declare",
    ]

    /// Functions refused by name.
    static let deniedFunctions: Set<String> = [
        // Settings, sequences and transaction ids.
        "set_config", "nextval", "setval", "txid_current", "pg_current_xact_id",
        // Other sessions and the server.
        "pg_terminate_backend", "pg_cancel_backend", "pg_reload_conf", "pg_rotate_logfile", "pg_promote",
        "pg_switch_wal", "pg_create_restore_point", "pg_start_backup", "pg_stop_backup", "pg_wal_replay_pause",
        "pg_wal_replay_resume", "pg_notify", "pg_import_system_collations", "pg_nextoid", "pg_export_snapshot",
        "pg_sync_replication_slots", "pg_truncate_visibility_map", "gin_clean_pending_list",
        // Files (core and adminpack).
        "pg_stat_file", "pg_logdir_ls", "loread", "lowrite",
        // Run SQL given as text.
        "ts_stat", "ts_rewrite",
    ]

    /// Families of functions refused by the start of their name.
    static let deniedFunctionPrefixes: [String] = [
        "pg_read_", "pg_ls_", "pg_file_", "lo_",  // files and large objects
        "pg_advisory_", "pg_try_advisory_",  // session-level locks, which outlive the transaction
        "dblink", "postgres_fdw",  // other servers
        "pg_backup_", "pg_create_", "pg_drop_", "pg_copy_", "pg_replication_", "pg_logical_", "pg_log_",
        "pg_stat_reset", "binary_upgrade_", "brin_",
        "query_to_xml", "cursor_to_xml",  // run SQL given as text
    ]

    /// Checks `sql` and returns what to run.
    ///
    /// - Throws: ``SQLQueryError`` `sql_empty`, `sql_multiple_statements`, `sql_not_allowed` or `sql_invalid`.
    static func check(_ sql: String) throws(SQLQueryError) -> PostgresReadOnlyQuery {
        var tokens = try PostgresSQLLexer.tokens(sql)[...]
        while tokens.first?.isSemicolon == true { tokens.removeFirst() }
        while tokens.last?.isSemicolon == true { tokens.removeLast() }
        guard let first = tokens.first, let last = tokens.last else {
            throw SQLQueryError(.empty, "the query holds no SQL statement")
        }
        if tokens.contains(where: \.isSemicolon) {
            throw SQLQueryError(.multipleStatements, "the query holds more than one statement; send exactly one")
        }
        let kind = try statementKind(of: tokens)
        try checkParentheses(tokens)
        for (position, token) in zip(tokens.indices, tokens) {
            if token.kind == .word, deniedWords.contains(token.text) {
                throw notAllowed("\(token.text.uppercased()) is not allowed")
            }
            if token.kind == .word, token.text == "share", position > tokens.startIndex,
                ["for", "key"].contains(tokens[position - 1].text)
            {
                throw notAllowed("locking rows (FOR SHARE) is not allowed")
            }
            if token.kind == .word || token.kind == .quotedIdentifier, isDenied(function: token.text) {
                throw notAllowed("the function \(token.text)() is not allowed")
            }
        }
        let scalars = sql.unicodeScalars
        return PostgresReadOnlyQuery(
            statement: String(scalars[first.range.lowerBound..<last.range.upperBound]), kind: kind)
    }

    static func isDenied(function name: String) -> Bool {
        deniedFunctions.contains(name) || deniedFunctionPrefixes.contains { name.hasPrefix($0) }
    }

    private static func statementKind(of tokens: ArraySlice<PostgresSQLToken>) throws(SQLQueryError) -> Kind {
        guard let word = tokens.first(where: { !($0.kind == .symbol && $0.text == "(") }),
            word.kind == .word
        else {
            throw SQLQueryError(.invalid, "a query starts with SELECT, WITH, VALUES, TABLE, EXPLAIN or SHOW")
        }
        let startsWithParenthesis = tokens.first?.kind == .symbol
        if cursorStatements.contains(word.text) { return .cursor }
        if directStatements.contains(word.text), !startsWithParenthesis { return .direct }
        if otherStatements.contains(word.text) || directStatements.contains(word.text) {
            throw notAllowed("\(word.text.uppercased()) statements are not allowed")
        }
        throw SQLQueryError(
            .invalid,
            "'\(word.text)' does not start a query; a query starts with SELECT, WITH, VALUES, TABLE, EXPLAIN or SHOW")
    }

    /// Parentheses must pair up, so that the statement can stand inside the ones this module puts around it.
    private static func checkParentheses(_ tokens: ArraySlice<PostgresSQLToken>) throws(SQLQueryError) {
        var depth = 0
        for token in tokens where token.kind == .symbol {
            if token.text == "(" { depth += 1 }
            if token.text == ")" { depth -= 1 }
            if depth < 0 { throw SQLQueryError(.invalid, "a ')' closes no '('") }
        }
        if depth != 0 { throw SQLQueryError(.invalid, "a '(' is not closed") }
    }

    private static func notAllowed(_ reason: String) -> SQLQueryError {
        SQLQueryError(.notAllowed, "\(reason); only reading the ledger is allowed")
    }
}

extension PostgresSQLToken {
    fileprivate var isSemicolon: Bool { kind == .symbol && text == ";" }
}
