import Foundation
import SwitchyardCore
import SwitchyardStore

/// Rows of typed cells under named columns: what every listing command builds, then prints as an aligned table,
/// CSV or JSON (see `OutputTable+Rendering.swift`).
///
/// ```swift
/// var table = OutputTable(columns: [.text("user", "USER"), .number("cost_usd", "COST (USD)")])
/// table.rows.append([.text("alice"), .money(1_250)])
/// Console.write(table.rendered(as: .table))
/// ```
struct OutputTable: Sendable {
    /// One column: `key` names it in CSV headers and JSON objects, `title` in tables.
    struct Column: Sendable {
        enum Alignment: Sendable { case left, right }

        var key: String
        var title: String
        var alignment: Alignment

        /// A left-aligned column of text.
        static func text(_ key: String, _ title: String) -> Column { Column(key: key, title: title, alignment: .left) }
        /// A right-aligned column of figures.
        static func number(_ key: String, _ title: String) -> Column {
            Column(key: key, title: title, alignment: .right)
        }
    }

    var columns: [Column]
    var rows: [[Cell]] = []
    /// A last row shown under a rule in tables only (totals); CSV and JSON leave it out.
    var footer: [Cell]?

    init(columns: [Column], rows: [[Cell]] = [], footer: [Cell]? = nil) {
        self.columns = columns
        self.rows = rows
        self.footer = footer
    }
}

/// One value of an ``OutputTable``, kept typed so that each format writes it its own way.
enum Cell: Sendable, Hashable {
    case text(String)
    case integer(Int)
    /// Exact dollars with six decimals in every format (`0.001250`); a JSON string so no parser rounds it.
    case money(MicroDollars)
    /// A share in 0...1: `85.0%` in tables, the plain number in CSV and JSON.
    case ratio(Double)
    /// Several names: `a, b` in tables, `a b` in CSV, an array in JSON.
    case list([String])
    /// A value from a SQL query, written as SQLite stored it.
    case sql(SQLValue)
    /// Nothing to show: `-` in tables, empty in CSV, `null` in JSON.
    case none

    /// The value as a table shows it.
    var tableText: String {
        switch self {
        case .text(let text): text
        case .integer(let value): String(value)
        case .money(let amount): amount.decimalString
        case .ratio(let share): Self.percent(share)
        case .list(let names): names.joined(separator: ", ")
        case .sql(let value): value.description
        case .none: "-"
        }
    }

    /// The value as a CSV field holds it, before quoting.
    var csvText: String {
        switch self {
        case .text(let text): text
        case .integer(let value): String(value)
        case .money(let amount): amount.decimalString
        case .ratio(let share): String(share)
        case .list(let names): names.joined(separator: " ")
        case .sql(.null): ""
        case .sql(.blob(let data)): data.base64EncodedString()
        case .sql(let value): value.description
        case .none: ""
        }
    }

    /// The value in a JSON document.
    var json: JSONOutput {
        switch self {
        case .text(let text): .string(text)
        case .integer(let value): .int(value)
        case .money(let amount): .string(amount.decimalString)
        case .ratio(let share): .number(share)
        case .list(let names): .array(names.map(JSONOutput.string))
        case .sql(.null): .null
        case .sql(.integer(let value)): .integer(value)
        case .sql(.real(let value)) where value.isFinite: .number(value)
        case .sql(.real(let value)): .string(value.isNaN ? "NaN" : (value < 0 ? "-Infinity" : "Infinity"))
        case .sql(.text(let text)): .string(text)
        case .sql(.blob(let data)): .string(data.base64EncodedString())
        case .none: .null
        }
    }

    /// `85.0%`: one decimal, rounded half away from zero, computed without string formatting APIs.
    static func percent(_ share: Double) -> String {
        let tenths = Int((share * 1000).rounded())
        let sign = tenths < 0 ? "-" : ""
        return "\(sign)\(abs(tenths) / 10).\(abs(tenths) % 10)%"
    }
}
