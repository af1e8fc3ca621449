package import GRDB
package import SwitchyardCore
import Synchronization

/// One item of the ledger writer's queue: a router event, or a money movement of ``SQLiteBudgetStore`` that
/// commits in the same group commit as the events around it.
package enum LedgerWrite: Sendable {
    case event(RouterEvent)
    case budget(BudgetWrite)
    /// A budget write already answered (it failed fast during a database fault); keeps its place in the numbering.
    case answered

    package var budgetWrite: BudgetWrite? {
        if case .budget(let write) = self { write } else { nil }
    }

    /// Whether committing it writes anything (an answered budget write only keeps its place).
    package var writesSomething: Bool {
        if case .answered = self { false } else { true }
    }
}

/// A money movement the ledger writer runs inside a batch's transaction, in a savepoint of its own, and answers
/// once the batch is committed.
package struct BudgetWrite: Sendable {
    /// Whether a database fault answers it at once with `ledger_unavailable` (reservations: nothing is reserved,
    /// the request is refused before any provider call) instead of keeping it queued until the database recovers
    /// (settlements: money is never dropped).
    package enum FaultHandling: Sendable {
        case failFast
        case keepUntilWritten
    }

    /// What a budget write answers: the amount it reserved or settled, and the tightest limit right after.
    package struct Outcome: Sendable {
        package var amount: MicroDollars
        package var tightest: BudgetStatus?
        /// Budget alerts the write recorded (a settlement that crossed thresholds).
        package var alerts = 0
    }

    /// What the reservation or settlement writes; its result is the answer. Errors it throws (a budget exceeded,
    /// an unknown reservation) undo its rows only, not the batch's.
    package var apply: @Sendable (Database) throws -> Outcome
    package var faults: FaultHandling
    /// Called once: with the result after the commit, or with the error that ended the write.
    package var answer: Answer

    init(
        faults: FaultHandling, apply: @escaping @Sendable (Database) throws -> Outcome,
        answer: @escaping @Sendable (Result<BudgetWrite.Outcome, any Error>) -> Void
    ) {
        self.apply = apply
        self.faults = faults
        self.answer = Answer(answer)
    }

    /// A callback that runs at most once, however many of the writer's paths (commit, fault, shutdown) answer.
    package final class Answer: Sendable {
        private let callback: Mutex<(@Sendable (Result<BudgetWrite.Outcome, any Error>) -> Void)?>

        init(_ callback: @escaping @Sendable (Result<BudgetWrite.Outcome, any Error>) -> Void) {
            self.callback = Mutex(callback)
        }

        package func callAsFunction(_ result: Result<BudgetWrite.Outcome, any Error>) {
            callback.withLock { callback in
                defer { callback = nil }
                return callback
            }?(result)
        }
    }
}
