import ArgumentParser

/// How a command prints its result: `table` for people, `json` and `csv` for scripts.
enum OutputFormat: String, CaseIterable, ExpressibleByArgument, Sendable {
    /// Aligned columns with a header row.
    case table
    /// One pretty-printed JSON document; money as exact decimal strings.
    case json
    /// RFC 4180 CSV with a header row of snake_case column names; money as exact decimals.
    case csv

    static let help = ArgumentHelp("Output format: table (for people), json or csv (for scripts).", valueName: "format")
}
