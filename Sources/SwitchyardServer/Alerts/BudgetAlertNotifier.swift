public import AsyncHTTPClient
import Foundation
public import Logging
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import SwitchyardCore
import Synchronization
public import SwitchyardStore

/// Posts the budget alerts the ledger records (`budget_alerts`, see `SQLiteBudgetStore`) to the configured webhook:
/// `POST` with the alert's JSON (``BudgetAlert``), `Content-Type: application/json` and
/// `Idempotency-Key: budget-alert-<id>`; any 2xx answer marks it sent.
///
/// Each alert is recorded once per scope, window and threshold, in the transaction of the settlement that crossed
/// it, so a restart never makes a second one; delivery is retried with backoff until the webhook accepts it, and
/// an alert still unsent at shutdown is sent at the next start. A delivery whose answer was lost (a crash between
/// the webhook's 2xx and `sent_at` being written) is sent again with the same idempotency key.
///
/// ```swift
/// let notifier = BudgetAlertNotifier(
///     alerts: runtime.store.alerts, recorded: budgets.alertsRecorded,
///     webhookURL: "https://hooks.example.com/switchyard", client: client)
/// await notifier.run()     // until cancelled
/// ```
public struct BudgetAlertNotifier: Sendable {
    let alerts: any BudgetAlertDirectory
    let recorded: LedgerSignal
    let webhookURL: String
    let timeout: Duration
    let client: HTTPClient
    let backoff: LedgerBackoff
    let clock: any Clock<Duration>
    let logger: Logger
    /// The latest delivery pass: passes run one after another, so an alert is never posted twice at once by one
    /// process (its own retry and an explicit ``deliverUnsent()`` meeting).
    private let passes = Passes()

    /// - Parameters:
    ///   - alerts: the ledger's alert table.
    ///   - recorded: told when a commit recorded alerts (`SQLiteBudgetStore.alertsRecorded`).
    ///   - webhookURL: where to post.
    ///   - timeout: how long one delivery may take; 5 s unless given.
    ///   - client: the HTTP client to post with.
    ///   - backoff: waits between rounds after a failed delivery; 1 s doubling to 5 min unless given.
    ///   - clock: what the waits are measured on; injectable for tests.
    public init(
        alerts: any BudgetAlertDirectory, recorded: LedgerSignal, webhookURL: String, timeout: Duration = .seconds(5),
        client: HTTPClient,
        backoff: LedgerBackoff = LedgerBackoff(initial: .seconds(1), maximum: .seconds(300)),
        clock: any Clock<Duration> = ContinuousClock(), logger: Logger = Logger(label: "switchyard.alerts")
    ) {
        self.alerts = alerts
        self.recorded = recorded
        self.webhookURL = webhookURL
        self.timeout = timeout
        self.client = client
        self.backoff = backoff
        self.clock = clock
        self.logger = logger
    }

    /// Delivers what is unsent, then again whenever alerts are recorded, and after a failure once the backoff has
    /// passed; returns when its task is cancelled.
    public func run() async {
        var failures = 0
        while !Task.isCancelled {
            if await deliverUnsent() {
                failures = 0
                await recorded.wait()
            } else {
                failures += 1
                try? await clock.sleep(for: backoff.delay(afterFailures: failures))
            }
        }
    }

    /// Posts every unsent alert once, oldest first.
    /// - Returns: `true` when none is left unsent.
    @discardableResult
    public func deliverUnsent() async -> Bool {
        await passes.run { await deliverUnsentNow() }
    }

    private func deliverUnsentNow() async -> Bool {
        while true {
            let unsent: [BudgetAlert]
            do {
                unsent = try await alerts.unsent(limit: Self.page)
            } catch {
                logger.warning("cannot read budget alerts", metadata: ["error": "\(error)"])
                return false
            }
            guard await deliver(unsent) else { return false }
            // A full page that all went out may have more behind it.
            if unsent.count < Self.page { return true }
        }
    }

    /// Alerts read from the table at a time.
    static let page = 100

    /// Posts `unsent` in order. - Returns: `true` when every one was accepted.
    private func deliver(_ unsent: [BudgetAlert]) async -> Bool {
        var delivered = true
        for alert in unsent {
            do {
                try await post(alert)
                try await alerts.markSent(alert.id)
                logger.info("budget alert sent", metadata: ["alert_id": "\(alert.id)"])
            } catch {
                delivered = false
                logger.warning(
                    "budget alert not delivered; it is sent again later",
                    metadata: ["alert_id": "\(alert.id)", "error": "\(error)"])
                try? await alerts.markFailed(alert.id, error: "\(error)")
            }
        }
        return delivered
    }

    private func post(_ alert: BudgetAlert) async throws {
        var request = HTTPClientRequest(url: webhookURL)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Idempotency-Key", value: "budget-alert-\(alert.id)")
        request.body = .bytes(ByteBuffer(data: try SwitchyardJSON.encoder.encode(alert)))
        let response = try await client.execute(request, timeout: .milliseconds(timeout.wholeMilliseconds))
        _ = try await response.body.collect(upTo: 64 * 1024)
        guard (200..<300).contains(Int(response.status.code)) else {
            throw WebhookRefusal(status: Int(response.status.code))
        }
    }

    struct WebhookRefusal: Error, CustomStringConvertible {
        var status: Int
        var description: String { "the webhook answered HTTP \(status)" }
    }
}

extension BudgetAlertNotifier {
    /// Runs operations one after another, each after the previous one ended.
    final class Passes: Sendable {
        private let latest = Mutex<Task<Bool, Never>?>(nil)

        func run(_ operation: @escaping @Sendable () async -> Bool) async -> Bool {
            let pass = latest.withLock { latest in
                let previous = latest
                let next = Task {
                    _ = await previous?.value
                    return await operation()
                }
                latest = next
                return next
            }
            return await pass.value
        }
    }
}
