import Hummingbird
import SwitchyardCore
import SwitchyardStore

/// `GET /reports/costs` and `GET /reports/reliability` (admin): the ledger's reports over a time range.
///
/// Each report is one line here: the store's request type reads the query (``LedgerReportRequest``) and its report
/// encodes the response body.
struct ReportsController: Sendable {
    let store: LedgerStore
    /// The prices in effect, for `reprice=true`.
    let prices: PriceTable

    func register(on admin: AdminRoutes) {
        add("/reports/costs", CostReport.Request.self, on: admin)
        add("/reports/reliability", ReliabilityReport.Request.self, on: admin)
    }

    /// Serves `GET path`: the report `ReportRequest` reads from the query string, as JSON; 400 `invalid_request` for a
    /// parameter it refuses.
    func add<ReportRequest: LedgerReportRequest>(_ path: RouterPath, _: ReportRequest.Type, on admin: AdminRoutes) {
        admin.get(path) { [store, prices] request, _ in
            let parameters = ReportParameters(
                Dictionary(request.uri.queryParameters.map { (String($0.key), String($0.value)) }) { first, _ in first },
                currentPrices: prices)
            let reportRequest: ReportRequest
            do {
                reportRequest = try ReportRequest(parameters: parameters)
            } catch let error as ReportParameterError {
                throw APIError.badRequest(error.message)
            }
            return try Response.json(try await store.report(reportRequest))
        }
    }
}
