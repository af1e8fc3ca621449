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

        // Reserve the worst case of one answer and one escalation; a failover that needs more extends it.
        var amount =
            (tiers.flatMap(\.1).map(\.upperBoundCost).max() ?? .zero)
            + (escalationTargets.map(\.upperBoundCost).max() ?? .zero)
        if let cap = request.maxCost { amount = min(amount, cap) }
        if let budget = router.budget {
            do {
                reservation = try await budget.reserve(request.budgetSubject, requestID: request.id, amount: amount)
            } catch let error as BudgetExceededError {
                let status = error.status
                let resets = status.resetsAt.map { "; it starts again at \($0.ISO8601Format())" } ?? ""
                throw RoutingError(
                    .budgetExceeded,
                    "\(status.scopeDescription) has \(status.remaining) left of a \(status.limit) budget "
                        + "(spent \(status.spent), reserved \(status.reserved)); this request may cost up to "
                        + "\(amount)\(resets)",
                    budget: error)
            } catch {
                throw Self.ledgerUnavailable("the ledger could not reserve this request's budget (\(error))")
            }
        }
        return try await walk(tiers: tiers, escalation: resolved.route.escalation, escalationTargets: escalationTargets)
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
            upperBoundCost: model.pricing.cost(promptTokens: pricing.upperBoundPromptTokens, completionTokens: maxTokens),
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
