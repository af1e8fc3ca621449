import Foundation

extension RequestExecution {
    /// Admits the request (ledger, route, cost cap, budget), then walks its tiers.
    mutating func admitAndWalk() async throws -> Answer {
        // No provider is called for a request the ledger could not record.
        guard router.eventSink.isAvailable else {
            throw Self.ledgerUnavailable("the ledger cannot record requests right now")
        }
        let resolved: ResolvedRoute
        do {
            resolved = try router.resolved(model: request.model)
        } catch {
            emitReceived()
            throw error
        }
        route = resolved.route.name
        emitReceived()

        // Price every candidate and drop those over the cost cap.
        let pricing = RequestPricing(request.chat)
        var tiers = resolved.tiers.map { tier, targets in
            (tier, targets.map { Self.candidate(for: $0, tier: tier.name, pricing: pricing) })
        }
        var escalationTargets = resolved.escalation.map {
            Self.candidate(for: $0, tier: "escalation", pricing: pricing)
        }
        if let cap = request.maxCost {
            var cheapest: MicroDollars?
            for index in tiers.indices {
                tiers[index].1.removeAll { candidate in
                    guard candidate.upperBoundCost > cap else { return false }
                    cheapest = min(cheapest ?? candidate.upperBoundCost, candidate.upperBoundCost)
                    router.emit(skip(candidate, .costCap))
                    return true
                }
            }
            escalationTargets.removeAll { $0.upperBoundCost > cap }
            if tiers.allSatisfy({ $0.1.isEmpty }) {
                let needed = cheapest.map { " (the cheapest needs up to \($0))" } ?? ""
                throw RoutingError(
                    .costCapExceeded,
                    "no provider of route '\(route)' fits max_cost_usd \(cap)\(needed); raise the cap or "
                        + "lower max_tokens")
            }
        }

        // A route with a downgrade ladder serves a request whose budget runs low from its cheaper tier.
        let ladder = resolved.route.downgrade.flatMap { ladder in
            tiers.first { $0.0.name == ladder.tier && !$0.1.isEmpty }.map { (ladder.belowRemaining, $0) }
        }
        var escalation = resolved.route.escalation
        if let budget = router.budget {
            var lowered: Downgraded.Reason?
            if let (threshold, _) = ladder,
                let tightest = BudgetStatus.tightest((try? await budget.statuses(of: request.budgetSubject)) ?? []),
                tightest.remaining < threshold
            {
                lowered = .budgetLow
            }
            while reservation == nil {
                var serving = (tiers, escalationTargets)
                if lowered != nil, let (_, tier) = ladder { serving = ([tier], []) }
                do {
                    reservation = try await reserve(from: budget, tiers: serving.0, escalationTargets: serving.1)
                } catch let error as BudgetExceededError {
                    // Instead of refusing, try the cheaper tier once: its worst case may still fit.
                    guard lowered == nil, ladder != nil else { throw budgetExceeded(error) }
                    lowered = .budgetExceeded
                } catch {
                    throw Self.ledgerUnavailable("the ledger could not reserve this request's budget (\(error))")
                }
            }
            if let lowered, let (_, tier) = ladder {
                (tiers, escalation, escalationTargets, downgradedTo) = ([tier], nil, [], tier.0.name)
                router.emit(
                    .downgraded(Downgraded(requestID: request.id, tier: tier.0.name, reason: lowered, at: router.now())))
            }
        }
        return try await walk(tiers: tiers, escalation: escalation, escalationTargets: escalationTargets)
    }

    /// Reserves the worst case of one answer and one escalation (within `max_cost_usd`); a failover that needs
    /// more extends it.
    private func reserve(
        from budget: any BudgetStore, tiers: [(Tier, [Candidate])], escalationTargets: [Candidate]
    ) async throws -> BudgetReservation {
        var amount =
            (tiers.flatMap(\.1).map(\.upperBoundCost).max() ?? .zero)
            + (escalationTargets.map(\.upperBoundCost).max() ?? .zero)
        if let cap = request.maxCost { amount = min(amount, cap) }
        return try await budget.reserve(request.budgetSubject, requestID: request.id, amount: amount)
    }

    /// The 402 of a refused reservation, naming the limit that refused.
    private func budgetExceeded(_ error: BudgetExceededError) -> RoutingError {
        let status = error.status
        let resets = status.resetsAt.map { "; it starts again at \($0.ISO8601Format())" } ?? ""
        return RoutingError(
            .budgetExceeded,
            "\(status.scopeDescription) has \(status.remaining) left of a \(status.limit) budget (spent "
                + "\(status.spent), reserved \(status.reserved)); this request may cost up to \(error.requested)"
                + resets,
            budget: error)
    }

    /// Whether `candidate`'s worst case fits on top of what the request has been billed so far: within
    /// `max_cost_usd`, and within what is reserved (or the reservation must grow first).
    func funding(for candidate: Candidate) -> Funding {
        let needed = cost + candidate.upperBoundCost
        if let cap = request.maxCost, needed > cap { return .unaffordable(.costCap) }
        guard let current = reservation, needed > current.amount else { return .funded }
        return .needsExtension(to: needed)
    }

    /// Grows the reservation to `needed`, atomically with the user's limit.
    /// - Returns: `.budget` when the budget cannot cover it.
    mutating func extendReservation(to needed: MicroDollars) async throws -> TargetSkipped.Reason? {
        guard let current = reservation, let budget = router.budget else { return nil }
        do {
            reservation = try await budget.extend(current, by: needed - current.amount)
            return nil
        } catch is BudgetExceededError {
            return .budget
        } catch {
            throw Self.ledgerUnavailable("the ledger could not extend this request's reservation (\(error))")
        }
    }

    private mutating func emitReceived() {
        isRecorded = true
        router.emit(
            .requestReceived(
                RequestReceived(
                    requestID: request.id, userID: request.userID, route: route, requestedModel: request.model,
                    priority: request.priority, classification: classification, stream: onChunk != nil,
                    at: router.now(), keyID: request.keyID, team: request.team)))
    }

    private static func candidate(for target: ResolvedTarget, tier: String, pricing: RequestPricing) -> Candidate {
        let model = target.model
        let maxTokens = min(max(pricing.requestedMaxTokens ?? model.maxOutputTokens, 1), model.maxOutputTokens)
        return Candidate(
            tier: tier, resolved: target,
            expectedCost: model.pricing.cost(
                promptTokens: pricing.expectedPromptTokens, completionTokens: min(maxTokens, 512)),
            upperBoundCost: model.pricing.upperBoundCost(
                promptTokens: pricing.upperBoundPromptTokens, completionTokens: maxTokens),
            maxTokens: maxTokens, upperBoundPromptTokens: pricing.upperBoundPromptTokens)
    }
}

/// Whether a candidate can be afforded (see ``RequestExecution/funding(for:)``).
enum Funding {
    case funded
    case unaffordable(TargetSkipped.Reason)
    case needsExtension(to: MicroDollars)
}

/// Token counts of a request, computed once.
struct RequestPricing {
    var expectedPromptTokens: Int
    var upperBoundPromptTokens: Int
    var requestedMaxTokens: Int?

    init(_ chat: ChatRequest) {
        expectedPromptTokens = TokenEstimator.expectedPromptTokens(chat)
        upperBoundPromptTokens = TokenEstimator.upperBoundPromptTokens(chat)
        requestedMaxTokens = chat.maxTokens
    }
}
