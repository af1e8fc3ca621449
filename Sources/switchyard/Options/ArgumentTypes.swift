public import ArgumentParser
import Foundation
import Logging
public import SwitchyardCore
import SwitchyardStore

/// A dollar amount read exactly, digit by digit (`MicroDollars(parsing:)`), never through floating point:
/// `5`, `0.25`, `0.000001`. More than six decimals or anything else is a usage error.
struct DollarAmount: ExpressibleByArgument, Sendable {
    var amount: MicroDollars

    init?(argument: String) {
        guard let amount = try? MicroDollars(parsing: argument) else { return nil }
        self.amount = amount
    }

    static var defaultCompletionKind: CompletionKind { .default }
}

/// A point in time for `--since` and `--until`: a UTC day `2026-11-21` (its midnight), an ISO-8601 time
/// `2026-11-21T09:30:00Z` (both as `GET /reports/...` takes them), or the ledger's own form `2026-11-21 09:30:00`.
struct DateArgument: ExpressibleByArgument, Sendable {
    var date: Date
    var text: String

    init?(argument: String) {
        let text = argument.trimmingCharacters(in: .whitespaces)
        if text.count == 10, let date = LedgerTimestamp.date(from: text + " 00:00:00") {
            self.date = date
        } else if let date = LedgerTimestamp.date(from: text) {
            self.date = date
        } else if let date = ReportRange.date(parsing: text) {
            self.date = date
        } else {
            return nil
        }
        self.text = text
    }
}

/// `--priority`: how `chat` orders candidates.
enum PriorityArgument: String, CaseIterable, ExpressibleByArgument, Sendable {
    case cost, speed, quality

    var priority: RoutingPriority {
        switch self {
        case .cost: .cost
        case .speed: .speed
        case .quality: .quality
        }
    }
}

/// `--by` of `report costs`. (Public only because the store's type is: the conformance needs `public import`.)
extension CostDimension: ExpressibleByArgument {}

/// `--period` of `budget set`.
extension BudgetPeriod: ExpressibleByArgument {}

/// `--scope` of `budget list`.
extension BudgetScope: ExpressibleByArgument {}

/// `--by` of `report reliability`.
extension ReliabilityReport.Grouping: ExpressibleByArgument {}

/// `--log-level` of `serve`.
enum LogLevelArgument: String, CaseIterable, ExpressibleByArgument, Sendable {
    case trace, debug, info, notice, warning, error, critical

    var level: Logger.Level {
        switch self {
        case .trace: .trace
        case .debug: .debug
        case .info: .info
        case .notice: .notice
        case .warning: .warning
        case .error: .error
        case .critical: .critical
        }
    }
}

extension ValidationError {
    /// Throws `--option must be from A to B, not V` unless `value` is in `range`.
    static func check(_ value: Int, in range: ClosedRange<Int>, option: String) throws {
        guard range.contains(value) else {
            throw ValidationError("--\(option) must be from \(range.lowerBound) to \(range.upperBound), not \(value)")
        }
    }
}
