public import Hummingbird
import Logging
public import ServiceLifecycle
public import UnixSignals
import SwitchyardCore
import SwitchyardStore
import SwitchyardPostgres
import NIOCore

extension SwitchyardRuntime {
    /// Serves HTTP until SIGTERM or SIGINT, then shuts down in order: the server stops accepting and finishes its
    /// requests, the prober stops, and the ledger writer commits everything still queued.
    ///
    /// - Parameter onServerRunning: called with the bound port once the server listens (port 0 picks one).
    public func run(onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        try await makeServiceGroup(onServerRunning: onServerRunning).run()
    }

    /// The services of a running Switchyard in one group: the ledger writer, the health prober (when enabled) and
    /// the HTTP server. ``run(onServerRunning:)`` runs it; tests and embedders run it themselves so they can call
    /// `triggerGracefulShutdown()`.
    ///
    /// Services shut down in reverse order: the server first (it stops accepting and finishes the requests in
    /// flight), then the alert notifier and the prober, then the ledger writer, which commits every event still queued.
    ///
    /// - Parameters:
    ///   - gracefulShutdownSignals: signals that start a graceful shutdown (none in tests).
    ///   - onServerRunning: called with the bound port once the server listens (port 0 picks one).
    public func makeServiceGroup(
        gracefulShutdownSignals: [UnixSignal] = [.sigterm, .sigint],
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> ServiceGroup {
        let app = makeApplication(onServerRunning: onServerRunning)
        // The lease first, so that it stops last: an instance renews its lease until its writer has committed all.
        var services: [any Service] = []
        if let lease { services.append(InstanceLeaseService(lease: lease)) }
        services.append(LedgerWriterService(ledger: ledger))
        if let checkpointer { services.append(LedgerCheckpointService(checkpointer: checkpointer)) }
        if config.healthChecks.enabled {
            services.append(
                HealthProberService(
                    prober: HealthProber(
                        router: router, providers: providers, interval: config.healthChecks.interval,
                        timeout: config.healthChecks.timeout)))
        }
        if let notifier = alertNotifier { services.append(BudgetAlertService(notifier: notifier)) }
        services.append(app)
        return ServiceGroup(
            configuration: .init(services: services, gracefulShutdownSignals: gracefulShutdownSignals, logger: logger))
    }

    /// The HTTP application, for embedding in another service group or for tests.
    public func makeApplication(
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let router = makeHTTPRouter()
        return Application(
            router: router,
            configuration: ApplicationConfiguration(
                address: .hostname(config.server.host, port: config.server.port), serverName: "switchyard"),
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? 0) },
            logger: logger)
    }
}

/// Runs the ledger's single writer; on graceful shutdown it commits what is queued and stops.
struct LedgerWriterService: Service {
    let ledger: LedgerEventSink

    func run() async throws {
        try await withGracefulShutdownHandler {
            try await ledger.run()
        } onGracefulShutdown: {
            ledger.finish()
        }
    }
}

/// Posts budget alerts to the webhook until shutdown (what is unsent then goes at the next start).
struct BudgetAlertService: Service {
    let notifier: BudgetAlertNotifier

    func run() async throws {
        await cancelWhenGracefulShutdown { await notifier.run() }
    }
}

/// Checkpoints the ledger's WAL on an interval until shutdown.
struct LedgerCheckpointService: Service {
    let checkpointer: LedgerCheckpointer

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await checkpointer.run()
        }
    }
}

/// Renews the instance's lease on a PostgreSQL ledger and resolves expired ones, until shutdown.
struct InstanceLeaseService: Service {
    let lease: PostgresInstanceLease

    func run() async throws {
        await cancelWhenGracefulShutdown { await lease.run() }
    }
}

/// Probes providers on an interval until shutdown.
struct HealthProberService: Service {
    let prober: HealthProber<ContinuousClock>

    func run() async throws {
        await cancelWhenGracefulShutdown {
            try? await prober.run()
        }
    }
}
