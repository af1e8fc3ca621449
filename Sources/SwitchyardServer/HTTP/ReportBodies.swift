import Foundation
import SwitchyardCore
import SwitchyardStore

/// `GET /reports/costs` as JSON: snake_case keys, ISO-8601 times, money as an exact decimal string and as
/// micro-dollars (the store's ``CostReport`` encodes Swift's defaults: camelCase, seconds since 2001, bare micros).
struct CostReportBody: Encodable {
    var since: String
    var until: String
    var groupBy: [String]
    var rows: [Row]
    var total: Row

    struct Row: Encodable {
        var user: String?
        var provider: String?
        var model: String?
        var day: String?
        var requests: Int
        var attempts: Int
        var promptTokens: Int
        var completionTokens: Int
        var costUSD: String
        var costMicros: Int64

        init(_ row: CostReport.Row) {
            user = row.user
            provider = row.provider
            model = row.model
            day = row.day
            requests = row.requests
            attempts = row.attempts
            promptTokens = row.promptTokens
            completionTokens = row.completionTokens
            costUSD = row.cost.decimalString
            costMicros = row.cost.rawValue
        }

        enum CodingKeys: String, CodingKey {
            case user, provider, model, day, requests, attempts
            case promptTokens = "prompt_tokens", completionTokens = "completion_tokens", costUSD = "cost_usd"
            case costMicros = "cost_usd_micros"
        }
    }

    init(_ report: CostReport) {
        since = ReportTime.format(report.since)
        until = ReportTime.format(report.until)
        groupBy = report.groupedBy.map(\.rawValue)
        rows = report.rows.map(Row.init)
        total = Row(report.total)
    }

    enum CodingKeys: String, CodingKey {
        case since, until, rows, total
        case groupBy = "group_by"
    }
}

/// `GET /reports/reliability` as JSON, grouped by provider or by model.
struct ReliabilityReportBody: Encodable {
    var since: String
    var until: String
    var groupBy: String
    var requests: Requests
    var entries: [Entry]

    struct Requests: Encodable {
        var total: Int
        var successes: Int
        var successRate: Double?
        var failedOver: Int
        var escalated: Int
        var byStatus: [String: Int]

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(total, forKey: .total)
            try container.encode(successes, forKey: .successes)
            try container.encode(successRate, forKey: .successRate)
            try container.encode(failedOver, forKey: .failedOver)
            try container.encode(escalated, forKey: .escalated)
            try container.encode(byStatus, forKey: .byStatus)
        }

        enum CodingKeys: String, CodingKey {
            case total, successes, escalated
            case successRate = "success_rate", failedOver = "failed_over", byStatus = "by_status"
        }
    }

    struct Entry: Encodable {
        var entry: ReliabilityReport.Entry
        var includeModel: Bool

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(entry.provider, forKey: .provider)
            if includeModel { try container.encode(entry.model, forKey: .model) }
            try container.encode(entry.requests, forKey: .requests)
            try container.encode(entry.attempts, forKey: .attempts)
            try container.encode(entry.successes, forKey: .successes)
            try container.encode(entry.successRate, forKey: .successRate)
            try container.encode(entry.failovers, forKey: .failovers)
            try container.encode(entry.escalations, forKey: .escalations)
            try container.encode(entry.breakerTrips, forKey: .breakerTrips)
            try container.encode(entry.p50LatencyMs, forKey: .p50LatencyMs)
            try container.encode(entry.p95LatencyMs, forKey: .p95LatencyMs)
        }

        enum CodingKeys: String, CodingKey {
            case provider, model, requests, attempts, successes, failovers, escalations
            case successRate = "success_rate", breakerTrips = "breaker_trips", p50LatencyMs = "p50_latency_ms"
            case p95LatencyMs = "p95_latency_ms"
        }
    }

    init(_ report: ReliabilityReport, byModel: Bool) {
        since = ReportTime.format(report.since)
        until = ReportTime.format(report.until)
        groupBy = byModel ? "model" : "provider"
        let figures = report.requests
        requests = Requests(
            total: figures.total, successes: figures.successes, successRate: figures.successRate,
            failedOver: figures.failedOver, escalated: figures.escalated, byStatus: figures.byStatus)
        entries = (byModel ? report.models : report.providers).map { Entry(entry: $0, includeModel: byModel) }
    }

    enum CodingKeys: String, CodingKey {
        case since, until, requests, entries
        case groupBy = "group_by"
    }
}

enum ReportTime {
    /// `2026-11-21T00:00:00Z`.
    static func format(_ date: Date) -> String {
        date.formatted(.iso8601)
    }
}
