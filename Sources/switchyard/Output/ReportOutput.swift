import Foundation
import SwitchyardServer
import SwitchyardStore

/// Runs one of the ledger's reports for a `switchyard report` subcommand and prints it.
///
/// `--format json` prints the report's own encoding, the body of its `GET /reports/...` endpoint (see
/// ``SwitchyardStore/LedgerReportRequest``), laid out over several lines; tables and CSV come from the subcommand.
///
/// ```swift
/// try await ReportOutput.run(request, options: options, format: format, progress: "computing the cost report") {
///     report, format in Self.table(report).rendered(as: format)
/// }
/// ```
enum ReportOutput {
    /// Opens the ledger read-only (``LedgerAccess/withStore(_:writing:environment:_:)``), computes `request` behind a progress spinner
    /// and writes the report to standard output.
    ///
    /// - Parameter render: the report as a table or CSV (`format` is never `.json`).
    static func run<Request: LedgerReportRequest>(
        _ request: Request,
        options: ConfigOptions,
        format: OutputFormat,
        progress: String,
        render: (Request.Report, OutputFormat) -> String
    ) async throws {
        let report = try await LedgerAccess.withStore(try options.resolve().config) { store in
            try await Progress.while(progress) { try await store.report(request) }
        }
        Console.write(format == .json ? try json(report) : render(report, format))
    }

    /// `report` as the command line prints it: the shared encoding for the command line's audience, indented.
    static func json(_ report: some Encodable) throws -> String {
        let encoder = SwitchyardJSON.makeEncoder(userInfo: [.reportAudience: ReportAudience.commandLine])
        return JSONOutput.indented(String(decoding: try encoder.encode(report), as: UTF8.self)) + "\n"
    }
}
