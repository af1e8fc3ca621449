public import Prometheus
public import SwitchyardCore

/// Feeds Prometheus from the router's events, then passes every event on to the ledger sink.
///
/// Counts what only an event tells: requests by final status, provider calls by outcome, their latencies, money
/// spent and candidates skipped. State that can be read from its source (breakers, queue, ledger) is sampled at each
/// scrape by ``SwitchyardMetrics``, which owns the registry this sink feeds in a running service. Uses its own
/// `PrometheusCollectorRegistry` (not the process-wide `MetricsSystem`), so tests and several services in one
/// process never collide.
public final class MetricsEventSink: RouterEventSink {
    public let registry: PrometheusCollectorRegistry
    private let next: any RouterEventSink
    private static let durationBuckets: [Duration] = [
        .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
        .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2), .seconds(5), .seconds(10), .seconds(30),
        .seconds(60),
    ]

    /// - Parameters:
    ///   - next: the sink that records events (the ledger).
    ///   - registry: where metrics live; `/metrics` renders it.
    public init(forwardingTo next: any RouterEventSink, registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.next = next
        self.registry = registry
    }

    public func emit(_ event: RouterEvent) {
        switch event {
        case .requestFinished(let finished):
            registry.makeCounter(
                descriptor: .init(namespace: "switchyard", metricName: "requests", unitName: "total",
                                  helpText: "Client requests by final status"),
                labels: [("status", finished.status.rawValue)]
            ).increment()
            registry.makeDurationHistogram(
                descriptor: .init(namespace: "switchyard", metricName: "request_duration", unitName: "seconds",
                                  helpText: "Time from receiving a request to its answer"),
                labels: [("status", finished.status.rawValue)], buckets: Self.durationBuckets
            ).record(finished.latency)
            if finished.cost > .zero, let provider = finished.provider {
                registry.makeCounter(
                    descriptor: .init(namespace: "switchyard", metricName: "spend_usd_micros", unitName: "total",
                                      helpText: "Money spent, in micro-dollars"),
                    labels: [("provider", provider)]
                ).increment(by: finished.cost.rawValue)
            }
        case .attemptFinished(let attempt):
            registry.makeCounter(
                descriptor: .init(namespace: "switchyard", metricName: "attempts", unitName: "total",
                                  helpText: "Provider calls by outcome"),
                labels: [("provider", attempt.provider), ("outcome", attempt.outcome.rawValue)]
            ).increment()
            registry.makeDurationHistogram(
                descriptor: .init(namespace: "switchyard", metricName: "attempt_duration", unitName: "seconds",
                                  helpText: "Provider call latency"),
                labels: [("provider", attempt.provider)], buckets: Self.durationBuckets
            ).record(attempt.latency)
        case .targetSkipped(let skipped):
            registry.makeCounter(
                descriptor: .init(namespace: "switchyard", metricName: "skips", unitName: "total",
                                  helpText: "Candidates passed over without a call, by reason"),
                labels: [("provider", skipped.provider), ("reason", skipped.reason.rawValue)]
            ).increment()
        default:
            break
        }
        next.emit(event)
    }

    public func flush() async throws {
        try await next.flush()
    }

    public var isAvailable: Bool { next.isAvailable }

    /// The metrics of this sink's registry in Prometheus' text format (``SwitchyardMetrics/render(_:)`` samples the
    /// gauges first).
    public func render() -> String {
        registry.emitToString()
    }
}
