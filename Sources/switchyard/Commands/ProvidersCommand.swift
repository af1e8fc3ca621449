import ArgumentParser
import Foundation
import SwitchyardCore
import SwitchyardProviders
import SwitchyardServer
import SwitchyardStore

/// `switchyard providers`: each configured provider with its breaker state and figures from the ledger.
struct ProvidersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "providers",
        abstract: "List providers with their circuit-breaker state, success rate and latency from the ledger.",
        discussion: """
            The providers are those of the configuration (pass the service's --config), plus any the ledger \
            knows that the configuration no longer has. BREAKER is the state of the provider's last recorded \
            breaker transition (what the service restores at start-up), closed if it never tripped; UNTIL is when \
            an open breaker lets a probe through. The figures cover every call in the ledger, or --since/--until.

            Examples:
              switchyard providers
              switchyard providers --config switchyard.yaml --format json
              switchyard providers --since 2026-11-21 --format csv
            """)

    @OptionGroup var options: ConfigOptions
    @OptionGroup var range: RangeOptions
    @Option(help: OutputFormat.help) var format: OutputFormat = .table

    func run() async throws {
        let config = try options.resolve().config
        var transitions: [String: BreakerTransition] = [:]
        var entries: [String: ReliabilityReport.Entry] = [:]
        if config.database.url != nil || FileManager.default.fileExists(atPath: config.database.path) {
            let (last, report) = try await LedgerAccess.withStore(config) { store in
                let last = try await store.lastBreakerTransitions()
                let report = try await Progress.while("reading the ledger") {
                    try await store.report(
                        ReliabilityReport.Request(range: ReportRange(since: range.lowerBound, until: range.upperBound)))
                }
                return (last, report)
            }
            for transition in last { transitions[transition.provider] = transition }
            for entry in report.providers { entries[entry.provider] = entry }
        } else {
            Console.note("no ledger database at '\(config.database.path)' yet: no calls recorded")
        }
        var table = OutputTable(columns: [
            .text("provider", "PROVIDER"), .text("kind", "KIND"), .text("models", "MODELS"),
            .text("breaker", "BREAKER"), .text("breaker_since", "SINCE"), .text("open_until", "UNTIL"),
            .number("attempts", "ATTEMPTS"), .number("success_rate", "SUCCESS RATE"),
            .number("p50_latency_ms", "P50 MS"), .number("p95_latency_ms", "P95 MS"),
        ])
        let configured = config.providers.map(\.name)
        let unconfigured = Set(transitions.keys).union(entries.keys).subtracting(configured).sorted()
        let kinds = Dictionary(uniqueKeysWithValues: config.providers.map { ($0.name, $0) })
        for name in configured + unconfigured {
            let settings = kinds[name]
            let transition = transitions[name]
            let entry = entries[name]
            table.rows.append([
                .text(name),
                settings.map { .text($0.kind.rawValue) } ?? .text("(not configured)"),
                .list(settings?.profile.models.map(\.name) ?? []),
                .text(transition?.to.rawValue ?? BreakerState.closed.rawValue),
                transition.map { .text(LedgerTimestamp.string(from: $0.at)) } ?? .none,
                transition?.openUntil.map { .text(LedgerTimestamp.string(from: $0)) } ?? .none,
                .integer(entry?.attempts ?? 0),
                entry?.successRate.map(Cell.ratio) ?? .none,
                entry?.p50LatencyMs.map(Cell.integer) ?? .none,
                entry?.p95LatencyMs.map(Cell.integer) ?? .none,
            ])
        }
        Console.write(table.rendered(as: format))
    }
}
