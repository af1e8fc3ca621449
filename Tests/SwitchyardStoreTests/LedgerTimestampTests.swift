import Foundation
import SwitchyardStore
import Testing

@Suite struct LedgerTimestampTests {
    @Test(arguments: [
        (0.0, "1970-01-01 00:00:00.000"),
        (951_782_400.5, "2000-02-29 00:00:00.500"),
        (1_709_210_096.789, "2024-02-29 12:34:56.789"),
        (-1.0, "1969-12-31 23:59:59.000"),
        (253_402_300_799.999, "9999-12-31 23:59:59.999"),
    ])
    func formatsKnownInstants(seconds: Double, text: String) {
        #expect(LedgerTimestamp.string(from: Date(timeIntervalSince1970: seconds)) == text)
        #expect(LedgerTimestamp.date(from: text) == Date(timeIntervalSince1970: seconds))
    }

    @Test func roundTripsMillisecondsOverManyDays() {
        var seconds = -86_400.0 * 800
        while seconds < 86_400.0 * 365 * 60 {
            let date = Date(timeIntervalSince1970: seconds)
            let text = LedgerTimestamp.string(from: date)
            #expect(LedgerTimestamp.date(from: text) == date, "\(text)")
            seconds += 86_400 * 13.37 + 0.123
            seconds = (seconds * 1000).rounded() / 1000
        }
    }

    @Test func parsesShorterFractionsAndRejectsGarbage() {
        #expect(
            LedgerTimestamp.date(from: "2025-01-02 03:04:05") == LedgerTimestamp.date(from: "2025-01-02 03:04:05.000"))
        #expect(
            LedgerTimestamp.date(from: "2025-01-02 03:04:05.5") == LedgerTimestamp.date(from: "2025-01-02 03:04:05.500")
        )
        #expect(LedgerTimestamp.date(from: "2025-01-02T03:04:05.250") != nil)
        for bad in [
            "", "2025-01-02", "2025-13-02 03:04:05", "2025-01-02 03:04:05.", "2025-01-02 03:04:05.1234",
            "abcd-ef-gh ij:kl:mn",
        ] {
            #expect(LedgerTimestamp.date(from: bad) == nil, "\(bad)")
        }
    }

    @Test func sqliteReadsTheForm() async throws {
        try await withLedger { database in
            let text = LedgerTimestamp.string(from: Date(timeIntervalSince1970: 1_709_210_096.789))
            let result = try await database.query(
                "SELECT strftime('%Y-%m-%d %H:%M:%f', '\(text)'), date('\(text)'), "
                    + "CAST(round((julianday('\(text)') - 2440587.5) * 86400000) AS INTEGER)")
            #expect(result.rows[0] == [.text(text), .text("2024-02-29"), .integer(1_709_210_096_789)])
        }
    }
}
