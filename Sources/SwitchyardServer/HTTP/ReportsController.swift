import Hummingbird
import SwitchyardCore
import SwitchyardStore

/// The ledger's reports (admin): `GET /reports/costs`, `/reports/reliability`, `/reports/breakers`,
/// `/reports/requests` and `/reports/requests/{id}`.
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
        add("/reports/breakers", BreakerTimeline.Request.self, on: admin)
        add("/reports/requests", RecentRequests.Request.self, on: admin)
        add("/reports/requests/:id", RequestTrail.Request.self, on: admin) { trail in
            guard let trail else { throw APIError.notFound("the ledger has no request with this id") }
            return trail
        }
    }

    /// Serves `GET path`: the report `ReportRequest` reads from the query string and the path's parameters, as
    /// JSON (what `body` makes of it); 400 `invalid_request` for a parameter it refuses.
    func add<ReportRequest: LedgerReportRequest, Body: Encodable & Sendable>(
        _ path: RouterPath, _: ReportRequest.Type, on admin: AdminRoutes,
        body: @escaping @Sendable (ReportRequest.Report) throws -> Body
    ) {
        admin.get(path) { [store, prices] request, context in
            var values = Dictionary(request.uri.queryParameters.map { (String($0.key), String($0.value)) }) {
                first, _ in first
            }
            for (name, value) in context.parameters { values[String(name)] = String(value) }
            let reportRequest: ReportRequest
            do {
                reportRequest = try ReportRequest(parameters: ReportParameters(values, currentPrices: prices))
            } catch let error as ReportParameterError {
                throw APIError.badRequest(error.message, param: error.parameter)
            }
            return try Response.json(try body(try await store.report(reportRequest)))
        }
    }

    func add<ReportRequest: LedgerReportRequest>(_ path: RouterPath, _ type: ReportRequest.Type, on admin: AdminRoutes) {
        add(path, type, on: admin) { $0 }
    }
}
