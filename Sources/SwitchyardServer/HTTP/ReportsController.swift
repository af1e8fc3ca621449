import Foundation
import Hummingbird
import SwitchyardStore

/// `GET /reports/costs` and `GET /reports/reliability`: the ledger's reports over a time range (admin).
struct ReportsController: Sendable {
    let runtime: SwitchyardRuntime
    let admin: AdminAuthenticator

    func register(on routes: Hummingbird.Router<BasicRequestContext>) {
        routes.get("/reports/costs") { request, _ in
            try admin.check(request)
            let (since, until) = try Self.range(request)
            let groupBy = try Self.dimensions(request.uri.queryParameters["group_by"].map(String.init) ?? "user")
            let report = try await runtime.database.costReport(since: since, until: until, groupedBy: groupBy)
            return try Response.json(CostReportBody(report))
        }
        routes.get("/reports/reliability") { request, _ in
            try admin.check(request)
            let (since, until) = try Self.range(request)
            let byModel: Bool
            switch request.uri.queryParameters["group_by"].map(String.init) ?? "provider" {
            case "provider": byModel = false
            case "model": byModel = true
            case let other: throw APIError.badRequest("'group_by' must be provider or model, not '\(other)'")
            }
            let report = try await runtime.database.reliabilityReport(since: since, until: until)
            return try Response.json(ReliabilityReportBody(report, byModel: byModel))
        }
    }

    static func dimensions(_ text: String) throws -> [CostDimension] {
        try text.split(separator: ",").map { part in
            guard let dimension = CostDimension(rawValue: String(part)) else {
                throw APIError.badRequest("'group_by' must be user, provider, model or day (comma-separated), not '\(part)'")
            }
            return dimension
        }
    }

    /// `since` (inclusive) and `until` (exclusive) as `YYYY-MM-DD` or ISO-8601 times; defaults: all of time.
    static func range(_ request: Request) throws -> (Date, Date) {
        let since = try request.uri.queryParameters["since"].map { try date(String($0), name: "since") }
        let until = try request.uri.queryParameters["until"].map { try date(String($0), name: "until") }
        let lower = since ?? Date(timeIntervalSince1970: 0)
        let upper = until ?? Date().addingTimeInterval(86_400)
        guard lower < upper else { throw APIError.badRequest("'since' must be before 'until'") }
        return (lower, upper)
    }

    static func date(_ text: String, name: String) throws -> Date {
        if let date = try? Date(text, strategy: .iso8601) { return date }
        if let date = try? Date(text + "T00:00:00Z", strategy: .iso8601) { return date }
        throw APIError.badRequest("'\(name)' must be a date (2026-11-21) or an ISO-8601 time, not '\(text)'")
    }
}
