import ArgumentParser
import Foundation
import Logging
import SwitchyardCore
import SwitchyardServer
import SwitchyardStore

/// `switchyard chat`: routes one prompt through the same router, budgets and ledger as the service.
struct ChatCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chat",
        abstract: "Send one prompt through the router and print the answer.",
        discussion: """
            The request goes through the same routing, failover, budgets and ledger as the service's, without \
            starting the HTTP server: the answer is printed on stdout, then the provider, cost and attempts on \
            stderr, and the request is in the ledger when the command returns.

            It is safe beside a running service on the same database: it leaves reservations it did not make \
            alone (only `serve` settles those left open by a crash).

            Examples:
              switchyard chat "Write a haiku about trains"
              switchyard chat --user alice --priority quality "Explain WAL mode"
              switchyard chat --max-cost-usd 0.01 "Compare B-trees and LSM trees"
              switchyard chat --model cheap-cloud/cheap-mini --stream "Tell me a story"
              echo "Summarise this" | switchyard chat -
            """)

    @OptionGroup var options: ConfigOptions

    @Option(help: ArgumentHelp("Whose budget pays.", valueName: "user"))
    var user: String = "anonymous"

    @Option(
        help: ArgumentHelp(
            "A route name, provider/model, or a model name a provider serves (default: the default route).",
            valueName: "model"))
    var model: String = ""

    @Option(help: ArgumentHelp("Order candidates by cost, speed or quality instead of each tier's balance strategy."))
    var priority: PriorityArgument?

    @Option(
        name: .customLong("max-cost-usd"),
        help: ArgumentHelp("Skip targets whose upper-bound cost is above this many dollars.", valueName: "dollars"))
    var maxCost: DollarAmount?

    @Option(
        name: .customLong("max-tokens"), help: ArgumentHelp("The most completion tokens to ask for.", valueName: "n"))
    var maxTokens: Int?

    @Flag(help: "Print the answer as it arrives.")
    var stream = false

    @Argument(help: ArgumentHelp("The prompt; - reads it from stdin.", valueName: "prompt"))
    var prompt: String

    func validate() throws {
        if let maxTokens, maxTokens < 1 { throw ValidationError("--max-tokens must be at least 1") }
        if user.isEmpty || user.count > 128 { throw ValidationError("--user must be 1 to 128 characters") }
    }

    func run() async throws {
        let text = prompt == "-" ? Console.readStandardInput() : prompt
        guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw ValidationError("the prompt is empty")
        }
        let (config, _) = try options.resolve()
        var logger = Logger(label: "switchyard")
        logger.logLevel = .warning
        let request = RoutingRequest(
            id: RequestID.make(), userID: user, model: model,
            chat: ChatRequest(model: "", messages: [.user(text)], maxTokens: maxTokens), priority: priority?.priority,
            maxCost: maxCost?.amount)
        let outcome = try await SwitchyardRuntime.withRuntime(
            config: config, recoverReservations: false, logger: logger
        ) { runtime in
            try await withThrowingTaskGroup(of: Void.self) { group in
                // The ledger writer runs beside the request; finishing it commits every event before exit.
                group.addTask { try await runtime.ledger.run() }
                let outcome = await route(request, router: runtime.router)
                runtime.ledger.finish()
                try await group.waitForAll()
                return outcome
            }
        }
        switch outcome {
        case .success(let routed):
            let answer = routed.response.content ?? ""
            if !stream { Console.write(answer) }
            if !answer.hasSuffix("\n") { Console.write("\n") }
            summarize(routed)
        case .failure(let error as RoutingError):
            if !error.attempts.isEmpty { Console.note("attempts: \(Self.describe(error.attempts))") }
            if let budget = error.budget {
                Console.note(
                    "budget of \(budget.status.scopeDescription): limit \(budget.status.limit.formatted), spent "
                        + "\(budget.status.spent.formatted), reserved \(budget.status.reserved.formatted), this "
                        + "request needed \(budget.requested.formatted)")
            }
            throw error
        case .failure(let error):
            throw error
        }
    }

    private func route(
        _ request: RoutingRequest, router: SwitchyardCore.Router<ContinuousClock>
    ) async -> Result<RoutedResponse, any Error> {
        do {
            if stream {
                var streamed = false
                do {
                    return .success(
                        try await router.routeStream(request) { chunk in
                            guard let delta = chunk.chunk.contentDelta, !delta.isEmpty else { return }
                            streamed = true
                            Console.write(delta)
                        })
                } catch {
                    // End a broken-off answer's line so the error starts on its own.
                    if streamed { Console.write("\n") }
                    throw error
                }
            }
            return .success(try await Progress.while("routing") { try await router.route(request) })
        } catch {
            return .failure(error)
        }
    }

    private func summarize(_ routed: RoutedResponse) {
        let usage = routed.response.usage
        Console.note(
            "provider: \(routed.provider)/\(routed.model) (route \(routed.route), tier \(routed.tier)"
                + (routed.escalated ? ", escalated" : "") + ")")
        Console.note(
            "cost: \(routed.cost.formatted) (\(usage.promptTokens) prompt + \(usage.completionTokens) completion "
                + "tokens\(usage.isEstimated ? ", estimated" : ""))")
        Console.note("attempts: \(Self.describe(routed.attempts))")
        Console.note("request: \(routed.requestID), \(routed.latency.wholeMilliseconds) ms")
    }

    /// `2: local/local-small error (HTTP 503), cheap-cloud/cheap-mini success`.
    static func describe(_ attempts: [AttemptFinished]) -> String {
        let calls = attempts.map { attempt in
            var text = "\(attempt.provider)/\(attempt.model) \(attempt.outcome)"
            if let status = attempt.httpStatus, attempt.outcome != .success { text += " (HTTP \(status))" }
            return text
        }
        return "\(attempts.count): " + calls.joined(separator: ", ")
    }
}
