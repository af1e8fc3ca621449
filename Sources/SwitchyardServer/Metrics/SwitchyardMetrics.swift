public import Prometheus
public import SwitchyardCore
public import SwitchyardStore

/// The service's metrics, in one Prometheus registry of its own (never the process-wide `MetricsSystem`, so tests
/// and several services in one process never collide): what ``MetricsEventSink`` counts from router events, what
/// the ledger writer and the budgets report through their hooks, and gauges read from their sources at each scrape.
///
/// Every series whose labels are known from the configuration exists from start-up with its start value: a breaker
/// state for every configured provider, the queue, the requests in flight, the ledger's backlog and writability,
/// the commit histograms and the refusals of every budget scope. Labels only ever come from the configuration or a
/// fixed set (provider names, scopes, outcomes), never from users, keys, requests or client-chosen model names.
///
/// ```swift
/// let metrics = SwitchyardMetrics(providers: ["openai", "local"])
/// let ledger = LedgerEventSink(database: database, onCommit: { metrics.record($0) })
/// let router = try Router(
///     configuration: configuration, providers: providers, clock: ContinuousClock(),
///     eventSink: MetricsEventSink(forwardingTo: ledger, registry: metrics.registry))
/// let text = metrics.render(SwitchyardMetrics.Sample(router: router, ledger: ledger))   // GET /metrics
/// ```
public final class SwitchyardMetrics: Sendable {
    /// What the gauges show, read from their sources at a scrape.
    public struct Sample: Sendable {
        /// The breaker state of each provider, by name.
        public var breakerStates: [String: BreakerState]
        /// Requests waiting in the router's bounded queue.
        public var queueLength: Int
        /// Requests being routed (those of ``queueLength`` included).
        public var requestsInFlight: Int
        /// The ledger writer's state: its backlog and whether it can write.
        public var ledger: LedgerWriterHealth

        public init(
            breakerStates: [String: BreakerState], queueLength: Int, requestsInFlight: Int, ledger: LedgerWriterHealth
        ) {
            self.breakerStates = breakerStates
            self.queueLength = queueLength
            self.requestsInFlight = requestsInFlight
            self.ledger = ledger
        }

        /// Reads `router` and `ledger` now. A breaker is in the state ``ProviderSnapshot/breakerState`` says: an
        /// open one whose recovery time-out has passed reads as half-open.
        public init<C: Clock>(router: Router<C>, ledger: LedgerEventSink) where C.Duration == Duration {
            self.init(
                breakerStates: Dictionary(
                    router.providerSnapshots().map { ($0.name, $0.breakerState) }, uniquingKeysWith: { $1 }),
                queueLength: router.queueLength, requestsInFlight: router.requestsInFlight, ledger: ledger.health)
        }
    }

    public let registry: PrometheusCollectorRegistry
    private let queueLength: Gauge
    private let requestsInFlight: Gauge
    private let ledgerPendingEvents: Gauge
    private let ledgerWritable: Gauge
    private let commitBatchSize: ValueHistogram

    static let commitDurationBuckets: [Duration] = [
        .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10),
        .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
        .seconds(1), .seconds(2), .seconds(5), .seconds(10),
    ]
    /// Powers of two up to the writer's default largest batch (2,048 writes).
    static let batchSizeBuckets: [Double] = (0...11).map { Double(1 << $0) }

    /// Registers every metric with its start value.
    ///
    /// - Parameters:
    ///   - providers: the configured providers' names; each has a breaker state (closed) from the start.
    ///   - registry: where the metrics live; ``MetricsEventSink`` must feed the same one.
    public init(providers: [String], registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        queueLength = registry.makeGauge(
            descriptor: .init(
                namespace: "switchyard", metricName: "queue_length", unitName: "",
                helpText: "Requests waiting in the queue for a provider"))
        requestsInFlight = registry.makeGauge(
            descriptor: .init(
                namespace: "switchyard", metricName: "requests_in_flight", unitName: "",
                helpText: "Requests being routed now, queued ones included"))
        ledgerPendingEvents = registry.makeGauge(
            descriptor: .init(
                namespace: "switchyard", subsystem: "ledger", metricName: "pending_events", unitName: "",
                helpText: "Events and budget writes queued for the ledger writer and not yet committed"))
        ledgerWritable = registry.makeGauge(
            descriptor: .init(
                namespace: "switchyard", subsystem: "ledger", metricName: "writable", unitName: "",
                helpText: "Whether the ledger writer can write: 1 yes, 0 while its database fails or once stopped"))
        commitBatchSize = registry.makeValueHistogram(
            descriptor: .init(
                namespace: "switchyard", subsystem: "ledger", metricName: "commit_batch", unitName: "size",
                helpText: "Writes per committed ledger transaction"),
            buckets: Self.batchSizeBuckets)
        for outcome in LedgerCommitReport.Outcome.allCases { _ = commitDuration(outcome) }
        for scope in BudgetScope.allCases { _ = refusals(scope) }
        for provider in providers { _ = breakerState(provider) }  // 0, closed
    }

    // MARK: Hooks

    /// Records one transaction of the ledger writer: its duration by outcome, and its size when it committed. The
    /// writer's `onCommit`.
    public func record(_ commit: LedgerCommitReport) {
        commitDuration(commit.outcome).record(commit.duration)
        if commit.outcome == .committed { commitBatchSize.record(Double(commit.writes)) }
    }

    /// Counts a reservation (or a failover's extension of one) that a budget of `scope` refused.
    public func recordRefusal(scope: BudgetScope) {
        refusals(scope).increment()
    }

    // MARK: Scrape

    /// Sets the gauges from `sample`, then renders every metric in Prometheus' text format.
    public func render(_ sample: Sample) -> String {
        for (provider, state) in sample.breakerStates {
            let value: Int64 =
                switch state {
                case .closed: 0
                case .halfOpen: 1
                case .open: 2
                }
            breakerState(provider).set(value)
        }
        queueLength.set(Int64(sample.queueLength))
        requestsInFlight.set(Int64(sample.requestsInFlight))
        ledgerPendingEvents.set(Int64(sample.ledger.pendingEvents))
        ledgerWritable.set(Int64(sample.ledger.isWritable ? 1 : 0))
        return registry.emitToString()
    }

    // MARK: Series

    private func breakerState(_ provider: String) -> Gauge {
        registry.makeGauge(
            descriptor: .init(
                namespace: "switchyard", metricName: "breaker_state", unitName: "",
                helpText: "Circuit breaker state: 0 closed, 1 half-open, 2 open"),
            labels: [("provider", provider)])
    }

    private func commitDuration(_ outcome: LedgerCommitReport.Outcome) -> DurationHistogram {
        registry.makeDurationHistogram(
            descriptor: .init(
                namespace: "switchyard", subsystem: "ledger", metricName: "commit_duration", unitName: "seconds",
                helpText: "Time of one ledger transaction (a group commit), by how it ended"),
            labels: [("outcome", outcome.rawValue)], buckets: Self.commitDurationBuckets)
    }

    private func refusals(_ scope: BudgetScope) -> Counter {
        registry.makeCounter(
            descriptor: .init(
                namespace: "switchyard", subsystem: "budget", metricName: "reservations_refused", unitName: "total",
                helpText: "Budget reservations (and failover extensions) refused, by the scope whose limit refused"),
            labels: [("scope", scope.rawValue)])
    }
}
