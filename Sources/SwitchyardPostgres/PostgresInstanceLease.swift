public import Logging
import PostgresNIO
public import SwitchyardCore
import SwitchyardStore

import struct Foundation.Date
import struct Foundation.UUID
import class Foundation.ProcessInfo

/// One instance's lease on the shared PostgreSQL ledger: its `instances` row, renewed on every heartbeat, and the
/// crash rule for the others.
///
/// While an instance runs, ``run()`` renews its `heartbeat_at` every ``Configuration/heartbeat`` (on the
/// database's clock) and resolves the instances whose lease expired: no heartbeat for ``Configuration/timeout``,
/// or stopped. Resolving one settles each of its open reservations at the reserved amount (the crash rule of
/// the SQLite store), each in a transaction of its own, then marks the instance resolved. Two survivors resolving
/// the same instance at once cannot settle a reservation twice: the ledger's unique index on settle rows lets one
/// of them win and the other skip it.
///
/// An instance that was only slow (a pause longer than the lease) and finds itself resolved logs it and takes its
/// lease back; its late settlements of reservations already settled at their reserved amount are refused, so spend
/// can be over- but never under-counted.
public final class PostgresInstanceLease: Sendable {
    /// How often the lease is renewed and how long it lasts.
    public struct Configuration: Sendable, Hashable {
        /// How often the heartbeat is written and expired leases are looked for. Default 5 s.
        public var heartbeat: Duration
        /// How long without a heartbeat before an instance counts as dead. Default 30 s; longer than the heartbeat.
        public var timeout: Duration

        public init(heartbeat: Duration = .seconds(5), timeout: Duration = .seconds(30)) {
            self.heartbeat = heartbeat
            self.timeout = max(timeout, heartbeat * 2)
        }
    }

    /// This instance's id: `<host>-<pid>-<random>`.
    public let instanceID: String
    public let configuration: Configuration
    let ledger: PostgresLedger
    let budgets: PostgresBudgetStore
    let logger: Logger

    /// The `ledger.note` of a settle row written by the crash rule for a dead instance.
    public static func recoveredNote(from instance: String) -> String {
        "recovered from instance \(instance): settled at the reserved amount"
    }

    /// A new instance id for this process.
    public static func makeInstanceID() -> String {
        let host = ProcessInfo.processInfo.hostName.prefix(40)
        return "\(host)-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString.prefix(8).lowercased())"
    }

    public init(budgets: PostgresBudgetStore, configuration: Configuration = Configuration(), logger: Logger) {
        self.ledger = budgets.ledger
        self.budgets = budgets
        self.instanceID = budgets.instanceID
        self.configuration = configuration
        self.logger = logger
    }

    /// Writes this instance's `instances` row, then resolves every expired lease once.
    /// - Returns: the reservations settled for dead instances.
    @discardableResult
    public func register() async throws -> [BudgetReservation] {
        let host = ProcessInfo.processInfo.hostName
        let pid = Int(ProcessInfo.processInfo.processIdentifier)
        _ = try await ledger.rows(
            """
            INSERT INTO instances (id, host, pid) VALUES (\(instanceID), \(host), \(pid))
            ON CONFLICT (id) DO UPDATE SET heartbeat_at = now(), stopped_at = NULL
            """)
        return try await resolveExpired()
    }

    /// Renews the lease and resolves expired ones every heartbeat until cancelled; then marks this instance
    /// stopped (see ``stop()``).
    public func run() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: configuration.heartbeat)
            guard !Task.isCancelled else { break }
            await beat()
        }
    }

    /// One heartbeat: renews the lease, writes parked settlements, resolves expired leases. Errors are logged.
    public func beat() async {
        do {
            // A lease found expired is taken back, so that the reservations made since are covered by the crash
            // rule again (those open when it was resolved were settled at their reserved amount).
            let rows = try await ledger.rows(
                """
                WITH before AS (SELECT resolved_at FROM instances WHERE id = \(instanceID) FOR UPDATE)
                UPDATE instances SET heartbeat_at = now(), resolved_at = NULL, resolved_by = NULL
                WHERE id = \(instanceID)
                RETURNING (SELECT resolved_at IS NOT NULL FROM before)
                """)
            if try rows.first?.decode(Bool?.self) == true {
                logger.error(
                    """
                    this instance's lease expired and another instance settled its open reservations at their reserved \
                    amount; its heartbeat is late (a pause longer than the lease timeout?)
                    """, metadata: ["instance": "\(instanceID)"])
            }
            await budgets.writeParkedSettlements()
            try await resolveExpired()
        } catch {
            logger.warning(
                "cannot renew the instance lease", metadata: ["error": "\(PostgresFault.describe(error))"])
        }
    }

    /// Marks this instance stopped, so others settle whatever it leaves open at once instead of after the lease
    /// timeout. Call it after the ledger writer has committed everything.
    public func stop() async {
        do {
            _ = try await ledger.rows("UPDATE instances SET stopped_at = now() WHERE id = \(instanceID)")
        } catch {
            logger.warning("cannot mark the instance stopped", metadata: ["error": "\(PostgresFault.describe(error))"])
        }
    }

    /// Settles the open reservations of every other instance that stopped or whose heartbeat is older than the
    /// lease timeout, and marks those instances resolved.
    /// - Returns: the reservations settled.
    @discardableResult
    public func resolveExpired() async throws -> [BudgetReservation] {
        let timeoutSeconds = Double(configuration.timeout.components.seconds)
            + Double(configuration.timeout.components.attoseconds) / 1e18
        let expired = try await ledger.rows(
            """
            SELECT id FROM instances
            WHERE resolved_at IS NULL AND id <> \(instanceID)
              AND (stopped_at IS NOT NULL OR heartbeat_at < now() - make_interval(secs => \(timeoutSeconds)))
            ORDER BY heartbeat_at
            """
        ).map { try $0.decode(String.self) }
        var settled: [BudgetReservation] = []
        for instance in expired {
            let reservations = try await openReservations(of: instance)
            var count = 0
            for reservation in reservations {
                let settlement = PostgresBudgetStore.Settlement(
                    reservation: reservation, actualCost: reservation.amount,
                    at: LedgerTimestamp.string(from: budgets.now()))
                do {
                    try await budgets.write(settlement, note: Self.recoveredNote(from: instance))
                    settled.append(reservation)
                    count += 1
                } catch let error as LedgerError where error.code == .reservationAlreadySettled {
                    continue  // settled meanwhile, by its instance or another survivor
                }
            }
            _ = try await ledger.rows(
                """
                UPDATE instances SET resolved_at = now(), resolved_by = \(instanceID),
                    settled_reservations = settled_reservations + \(count)
                WHERE id = \(instance) AND resolved_at IS NULL
                """)
            if count > 0 {
                logger.warning(
                    "settled the open reservations of an instance whose lease expired at their reserved amount",
                    metadata: ["instance": "\(instance)", "count": "\(count)"])
            }
        }
        return settled
    }

    /// The reservations an instance holds that have no settle row.
    private func openReservations(of instance: String) async throws -> [BudgetReservation] {
        try await ledger.rows(
            """
            SELECT r.user_id, r.request_id, sum(r.amount_usd_micros)::BIGINT, max(r.key_id), max(r.team)
            FROM ledger r
            WHERE r.kind = 'reserve' AND r.request_id IN (
                SELECT request_id FROM ledger WHERE instance_id = \(instance) AND kind = 'reserve')
              AND NOT EXISTS (SELECT 1 FROM ledger s WHERE s.request_id = r.request_id AND s.kind = 'settle')
            GROUP BY r.user_id, r.request_id
            ORDER BY min(r.id)
            """
        ).map { row in
            let (user, request, amount, key, team) = try row.decode((String, String, Int64, String?, String?).self)
            return BudgetReservation(
                subject: BudgetSubject(userID: user, keyID: key, team: team), requestID: request,
                amount: MicroDollars(amount))
        }
    }
}
