/// What to compute for one of the ledger's reports: the request's values, how it is read from named parameters,
/// and how it is computed. The report it yields is `Encodable`, and that encoding is the report's public JSON:
/// `GET /reports/...` and `switchyard report ... --format json` both write it through ``SwitchyardJSON``.
///
/// A new report is one such type (with its report) here; the server serves it with one line
/// (`ReportsController`), the command line prints it through `ReportOutput`.
///
/// ```swift
/// let request = try ReliabilityReport.Request(parameters: ReportParameters(["group_by": "model"]))
/// let report = try await database.report(request)
/// let json = try SwitchyardJSON.encoder.encode(report)
/// ```
public protocol LedgerReportRequest: Sendable {
    associatedtype Report: Encodable, Sendable

    /// The request from named parameters (the HTTP query).
    ///
    /// - Throws: ``ReportParameterError`` naming the parameter at fault and the values it takes.
    init(parameters: ReportParameters) throws(ReportParameterError)

    /// Computes the report from `reader`: every statement it runs there sees the same state of the ledger, on
    /// either engine.
    func report(from reader: LedgerReader) async throws -> Report
}

extension LedgerDatabase {
    /// Computes the report `request` asks for, in one read of the file.
    public func report<Request: LedgerReportRequest>(_ request: Request) async throws -> Request.Report {
        try await read("the report") { reader in try await request.report(from: reader) }
    }
}

/// Who reads a report's JSON, for the one name in which they differ: `switchyard report reliability --format json`
/// calls the entries `rows`, as it did before the reports shared one encoding; the HTTP API calls them `entries`.
/// Set it as the encoder's ``CodingUserInfoKey/reportAudience``; without it, the API's names.
public enum ReportAudience: Sendable, Hashable {
    case api
    case commandLine
}

extension CodingUserInfoKey {
    /// The ``ReportAudience`` a report is encoded for.
    public static let reportAudience = CodingUserInfoKey(rawValue: "switchyard.reportAudience")!
}

extension Encoder {
    var reportAudience: ReportAudience { userInfo[.reportAudience] as? ReportAudience ?? .api }
}
