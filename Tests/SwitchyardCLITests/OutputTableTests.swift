import Foundation
import SwitchyardCore
import SwitchyardStore
import Testing

@testable import switchyard

@Suite("table, CSV and JSON rendering")
struct OutputTableTests {
    static let table = OutputTable(
        columns: [.text("name", "NAME"), .number("cost_usd", "COST (USD)"), .number("rate", "RATE")],
        rows: [
            [.text("a, \"b\""), .money(1_250), .ratio(0.8567)],
            [.text("long name"), .money(12_000_000), .none],
        ],
        footer: [.text("TOTAL"), .money(12_001_250), .none])

    @Test("tables align columns, right-align figures and put the footer under a rule")
    func aligned() {
        #expect(
            Self.table.rendered(as: .table) == """
                NAME       COST (USD)   RATE
                a, "b"       0.001250  85.7%
                long name   12.000000      -
                ---------  ----------  -----
                TOTAL       12.001250      -

                """)
    }

    @Test("CSV quotes what needs quoting, leaves the footer out, and writes exact money")
    func csv() {
        #expect(
            Self.table.rendered(as: .csv) == #"""
                name,cost_usd,rate
                "a, ""b""",0.001250,0.8567
                long name,12.000000,

                """#)
        #expect(OutputTable.csvField(" padded") == "\" padded\"")
        #expect(OutputTable.csvField("line\nbreak") == "\"line\nbreak\"")
    }

    @Test("JSON rows are objects keyed by column, money as strings, missing values null")
    func json() throws {
        let text = Self.table.rendered(as: .json)
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]])
        #expect(rows.count == 2)
        #expect(rows[0]["name"] as? String == "a, \"b\"")
        #expect(rows[0]["cost_usd"] as? String == "0.001250")
        #expect(rows[0]["rate"] as? Double == 0.8567)
        #expect(rows[1]["rate"] is NSNull)
    }

    @Test("JSON strings escape quotes, backslashes and control characters")
    func escaping() throws {
        let text = JSONOutput.object([("k", .string("q\"b\\n\n\u{01}é"))]).rendered()
        #expect(text == "{\n  \"k\": \"q\\\"b\\\\n\\n\\u0001é\"\n}\n")
        let decoded = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: String])
        #expect(decoded["k"] == "q\"b\\n\n\u{01}é")
    }

    @Test("SQL values in each format")
    func sqlValues() {
        let cells: [Cell] = [
            .sql(.null), .sql(.integer(42)), .sql(.real(0.5)), .sql(.text("x")), .sql(.blob(Data([1, 255]))),
        ]
        #expect(cells.map(\.tableText) == ["NULL", "42", "0.5", "x", "x'01ff'"])
        #expect(cells.map(\.csvText) == ["", "42", "0.5", "x", "Af8="])
    }

    @Test(
        "percentages round to one decimal",
        arguments: [(0.0, "0.0%"), (1.0, "100.0%"), (0.66666, "66.7%"), (0.9996, "100.0%")])
    func percent(share: Double, text: String) {
        #expect(Cell.percent(share) == text)
    }

    @Test("dates for --since and --until")
    func dates() throws {
        let day = try #require(DateArgument(argument: "2026-11-21"))
        #expect(day.date == Date(timeIntervalSince1970: 1_795_219_200))
        #expect(DateArgument(argument: "2026-11-21T00:00:00Z")?.date == day.date)
        #expect(DateArgument(argument: "2026-11-21 00:00:00")?.date == day.date)
        #expect(DateArgument(argument: "2026-11-21T01:00:00+01:00")?.date == day.date)
        #expect(DateArgument(argument: "21/11/2026") == nil)
        #expect(DateArgument(argument: "2026-13-01") == nil)
    }

    @Test("dollar arguments are exact")
    func dollars() {
        #expect(DollarAmount(argument: "0.000001")?.amount == MicroDollars(1))
        #expect(DollarAmount(argument: "25")?.amount == MicroDollars(25_000_000))
        #expect(DollarAmount(argument: "0.1234567") == nil)
        #expect(DollarAmount(argument: "1e3") == nil)
    }
}
