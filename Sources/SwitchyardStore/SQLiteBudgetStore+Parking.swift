import GRDB
import Logging
import SwitchyardCore
import Synchronization

extension SQLiteBudgetStore {
    /// A settlement to write: what ``SQLiteBudgetStore/settle(_:actualCost:)`` was asked, and when.
    struct Settlement: Sendable {
        var reservation: BudgetReservation
        var actualCost: MicroDollars
        /// The `at` of its ledger rows: when it was asked for, not when it was finally written.
        var at: String
    }

    /// Settlements that could not be written yet, and the ``run()`` loop waiting for them.
    struct Parking {
        var settlements: [Settlement] = []
        var writing = false
        var runner: CheckedContinuation<Void, Never>?
        var stopRequested = false
    }

    /// Settlements parked in memory because the database could not be written; ``run()`` writes them when it
    /// recovers. Non-zero means the ledger is behind on money (for `/readyz`).
    public var parkedSettlementCount: Int {
        parking.withLock { $0.settlements.count }
    }

    /// Writes parked settlements once the database recovers, retrying with ``Configuration/backoff``. Run it for
    /// the life of a process that settles without a writer (with one, nothing parks: settlements wait in the
    /// writer's queue), stopped after whatever settles, so that the last settlements are still written.
    ///
    /// Returns after ``finish()`` or when its task is cancelled, once every parked settlement is written or
    /// ``Configuration/shutdownTimeout`` has passed; what is left then is logged and stays an open reservation, which
    /// the next start-up settles at its reserved amount (``recoverOpenReservations()``).
    public func run() async {
        var failures = 0
        while await waitForParkedSettlements() {
            // A settlement was just parked because the database failed: give it a moment first.
            await LedgerTime.pause(for: configuration.backoff.delay(afterFailures: failures + 1), on: clock)
            failures = await writeParkedSettlements() ? 0 : failures + 1
        }
        let expired = LedgerTime.deadline(after: configuration.shutdownTimeout, on: clock)
        failures = 0
        while !(await writeParkedSettlements()) {
            failures += 1
            guard !expired() else {
                logger.error(
                    "parked settlements not written before shutdown; the next start-up settles them at their reserved amount",
                    metadata: ["settlements": "\(parkedSettlementCount)"])
                return
            }
            await LedgerTime.pause(for: configuration.backoff.delay(afterFailures: failures), on: clock)
        }
    }

    /// Asks ``run()`` to write what is parked and return. Idempotent.
    public func finish() {
        parking.withLock { parking -> CheckedContinuation<Void, Never>? in
            parking.stopRequested = true
            defer { parking.runner = nil }
            return parking.runner
        }?.resume()
    }

    /// Suspends until a settlement is parked (`true`) or stopping is asked (`false`).
    private func waitForParkedSettlements() async -> Bool {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let ready = parking.withLock { parking in
                    if parking.stopRequested || !parking.settlements.isEmpty { return true }
                    parking.runner = continuation
                    return false
                }
                if ready { continuation.resume() }
            }
        } onCancel: {
            finish()
        }
        return parking.withLock { !$0.stopRequested }
    }

    /// Keeps `settlement` in memory for ``run()`` and returns the `ledger_unavailable` error that says so.
    func park(_ settlement: Settlement, cause: DatabaseError) -> LedgerError {
        let requestID = settlement.reservation.requestID
        let runner = parking.withLock { parking -> CheckedContinuation<Void, Never>? in
            if !parking.settlements.contains(where: { $0.reservation.requestID == requestID }) {
                parking.settlements.append(settlement)
            }
            defer { parking.runner = nil }
            return parking.runner
        }
        runner?.resume()
        logger.warning(
            "settlement parked until the ledger can be written",
            metadata: ["request_id": "\(requestID)", "cost": "\(settlement.actualCost)", "error": "\(cause)"])
        return LedgerError(
            .unavailable,
            "the settlement of request '\(requestID)' (\(settlement.actualCost)) could not be written to the ledger at "
                + "'\(database.path)' (\(cause)); it is kept and written when the ledger recovers, so nothing is lost "
                + "(if the process stops first, the next start-up settles the reservation at its reserved amount)")
    }

    /// Refuses to touch a reservation whose settlement is parked: it is settled already, only not yet written.
    func checkNotParked(_ reservation: BudgetReservation) throws {
        let parked = parking.withLock { parking in
            parking.settlements.contains { $0.reservation.requestID == reservation.requestID }
        }
        guard !parked else {
            throw LedgerError(
                .reservationAlreadySettled,
                "the reservation of request '\(reservation.requestID)' is already settled (its settlement waits to "
                    + "be written); settle exactly once")
        }
    }

    /// After a successful write: writes parked settlements now, since the database just accepted a write.
    func writeParkedSettlementsIfAny() async {
        guard parking.withLock({ !$0.settlements.isEmpty && !$0.writing }) else { return }
        _ = await writeParkedSettlements()
    }

    /// Writes the parked settlements in order, each in its own transaction, until one fails.
    /// - Returns: `true` when none is left parked.
    func writeParkedSettlements() async -> Bool {
        let batch = parking.withLock { parking -> [Settlement]? in
            guard !parking.writing else { return nil }
            parking.writing = !parking.settlements.isEmpty
            return parking.settlements
        }
        guard let batch else { return false }
        guard !batch.isEmpty else { return true }
        defer { parking.withLock { $0.writing = false } }
        for settlement in batch {
            let requestID = settlement.reservation.requestID
            do {
                try await write(settlement)
                logger.notice("parked settlement written", metadata: ["request_id": "\(requestID)"])
            } catch let error as LedgerError
                where error.code == .reservationAlreadySettled || error.code == .unknownReservation
            {
                // Its commit reported a failure but happened, or the row was resolved some other way.
                logger.warning("parked settlement already resolved", metadata: ["request_id": "\(requestID)", "error": "\(error)"])
            } catch {
                logger.warning(
                    "parked settlements still cannot be written",
                    metadata: ["settlements": "\(batch.count)", "error": "\(error)"])
                return false
            }
            parking.withLock { $0.settlements.removeAll { $0.reservation.requestID == requestID } }
        }
        return parking.withLock { $0.settlements.isEmpty }
    }
}
