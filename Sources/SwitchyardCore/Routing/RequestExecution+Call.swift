import struct Foundation.Date
import Synchronization

/// How one candidate's turn ended.
enum CallOutcome: Sendable {
    /// Not called: unavailable now; may be available after the given wait.
    case skipped(Duration?)
    /// Called and failed (retries included), or no longer affordable after earlier attempts.
    case failed
    /// Called, and answered; the attempt is `attempts[attemptIndex]`, not yet emitted as finished.
    case answered(Answer, attemptIndex: Int)
}

/// The client stopped taking chunks.
struct ClientGoneError: Error {}

extension RequestExecution {
    /// Calls one candidate, retrying with backoff while its policy allows.
    mutating func call(_ candidate: Candidate, isEscalation: Bool, filter: inout MarkerFilter) async throws -> CallOutcome {
        let runtime = candidate.runtime
        let provider = candidate.target.provider
        var tries = 0
        while true {
            // Not affordable after what earlier attempts cost: give up on it, without waiting in the queue.
            var unaffordable: TargetSkipped.Reason?
            switch funding(for: candidate) {
            case .funded: break
            case .unaffordable(let reason): unaffordable = reason
            case .needsExtension(let needed): unaffordable = try await extendReservation(to: needed)
            }
            if let unaffordable {
                router.emit(skip(candidate, unaffordable))
                return .failed
            }
            let started = router.instant()
            let permit: ProviderRuntime<RouterInstant>.Permit
            switch runtime.acquire(now: started) {
            case .granted(let granted, let change):
                router.report(change, provider: provider)
                permit = granted
            case .unavailable(let reason, let wait, let change):
                router.report(change, provider: provider)
                guard tries == 0 else { return .failed }
                router.emit(skip(candidate, reason))
                return .skipped(wait)
            }
            router.markUsed(candidate)
            tries += 1
            let wallStart = router.now()
            let seq = attempts.count + 1
            router.emit(
                .attemptStarted(
                    AttemptStarted(
                        requestID: request.id, seq: seq, tier: candidate.tier, provider: provider,
                        model: candidate.target.model, isEscalation: isEscalation, at: wallStart)))
            var chat = request.chat
            chat.model = candidate.target.model
            chat.maxTokens = candidate.maxTokens
            let options = ProviderCallOptions(requestID: request.id, timeout: started.duration(to: deadline))
            var builder = StreamedResponseBuilder(model: chat.model)
            do {
                var response: ChatResponse
                var isComplete = true
                if onChunk != nil {
                    try await stream(chat, options: options, candidate: candidate, filter: &filter, builder: &builder)
                    response = builder.response(estimatingFrom: chat)
                    isComplete = builder.finishReason != nil
                } else {
                    response = try await runtime.provider.chat(chat, options: options)
                }
                let ended = router.instant()
                let latency = started.duration(to: ended)
                router.report(permit.finish(.success(latency: latency), now: ended, wallNow: router.now()), provider: provider)
                router.queue.signal()
                let bill = Billing.bill(reported: response.usage, candidate: candidate)
                response.usage = bill.usage ?? response.usage
                cost += bill.cost
                attempts.append(
                    AttemptFinished(
                        requestID: request.id, seq: seq, tier: candidate.tier, provider: provider,
                        model: candidate.target.model, outcome: .success, isEscalation: isEscalation, httpStatus: nil,
                        errorCode: nil, errorMessage: bill.note, usage: bill.usage, cost: bill.cost,
                        pricing: candidate.model.pricing, latency: latency,
                        startedAt: wallStart))
                return .answered(
                    Answer(candidate: candidate, response: response, isComplete: isComplete),
                    attemptIndex: attempts.count - 1)
            } catch {
                let ended = router.instant()
                let latency = started.duration(to: ended)
                let failure = classify(error, at: ended)
                let result: ProviderRuntime<RouterInstant>.CallResult =
                    failure.isProviderVerdict ? .failure(failure.error, latency: latency) : .abandoned
                router.report(permit.finish(result, now: ended, wallNow: router.now()), provider: provider)
                router.queue.signal()
                let bill = Billing.bill(failure: failure.error, partial: builder, chat: chat, candidate: candidate)
                cost += bill.cost
                let attempt = AttemptFinished(
                    requestID: request.id, seq: seq, tier: candidate.tier, provider: provider,
                    model: candidate.target.model, outcome: failure.outcome, isEscalation: isEscalation,
                    httpStatus: failure.error.httpStatus, errorCode: failure.error.code.rawValue,
                    errorMessage: [failure.error.message, bill.note].compactMap { $0 }.joined(separator: "; "),
                    usage: bill.usage, cost: bill.cost, pricing: candidate.model.pricing, latency: latency,
                    startedAt: wallStart)
                attempts.append(attempt)
                router.emit(.attemptFinished(attempt))

                switch failure.kind {
                case .clientGone: throw RoutingError(.cancelled, "the request was cancelled")
                case .deadline: throw deadlineError()
                case .provider: break
                }
                if delivered {
                    throw RoutingError(
                        .streamInterrupted,
                        "the answer from \(provider) broke off after it started: \(failure.error.message)")
                }
                if failure.error.stopsFailover {
                    throw RoutingError(.badRequest, "\(provider) rejected the request: \(failure.error.message)")
                }
                let remaining = ended.duration(to: deadline)
                guard remaining > .zero else { throw deadlineError() }
                let delay = router.random.withLock { random in
                    candidate.profile.retry.delay(after: failure.error, attempt: tries, remaining: remaining, using: &random)
                }
                guard let delay else { return .failed }
                do {
                    try await router.clock.sleep(for: delay)
                } catch {
                    throw RoutingError(.cancelled, "the request was cancelled during a retry backoff")
                }
            }
        }
    }

    /// Streams one call's answer to the client, watching for the escalation marker; `builder` collects the whole
    /// answer (also when the call fails, for billing).
    private mutating func stream(
        _ chat: ChatRequest,
        options: ProviderCallOptions,
        candidate: Candidate,
        filter: inout MarkerFilter,
        builder: inout StreamedResponseBuilder
    ) async throws {
        guard let onChunk else { return }
        let provider = candidate.target.provider
        let chunks = try await candidate.runtime.provider.streamChat(chat, options: options)
        let textLimit = Billing.textLimit(maxTokens: candidate.maxTokens)
        for try await chunk in chunks {
            builder.add(chunk)
            // A provider that ignores max_tokens is cut off: it may not produce more than was reserved.
            guard builder.text.utf8.count <= textLimit else {
                throw ProviderError(
                    .malformedResponse,
                    "\(provider) sent more text than max_tokens \(candidate.maxTokens) allows; the answer was cut",
                    mayHaveBilled: true)
            }
            var out = ChatStreamChunk(toolCallDeltas: chunk.toolCallDeltas)
            var text = chunk.contentDelta.map { filter.feed($0) } ?? ""
            if chunk.finishReason != nil {
                text += filter.finish()
                out.finishReason = chunk.finishReason
                out.usage = builder.usage(estimatingFrom: chat)
            }
            if filter.shouldEscalate, !delivered { return }
            if !text.isEmpty { out.contentDelta = text }
            guard out.contentDelta != nil || !out.toolCallDeltas.isEmpty || out.finishReason != nil else { continue }
            delivered = true
            do {
                try await onChunk(RoutedChunk(chunk: out, provider: provider, model: chat.model))
            } catch {
                throw ClientGoneError()
            }
        }
        // A stream ends quietly when its task is cancelled (the client left): that is a cancellation, not a cut.
        try Task.checkCancellation()
        if builder.finishReason == nil, !filter.shouldEscalate {
            throw ProviderError(.streamInterrupted, "the stream ended without a finish reason")
        }
    }

    /// Whose fault a failed call was.
    struct Failure {
        enum Kind { case provider, clientGone, deadline }
        var error: ProviderError
        var kind: Kind
        /// Whether the call says something about the provider's health (feeds its breaker and figures).
        var isProviderVerdict: Bool { kind == .provider }

        var outcome: AttemptOutcome {
            switch kind {
            case .clientGone: .cancelled
            case .deadline: .timeout
            case .provider:
                switch error.code {
                case .timeout: .timeout
                case .rateLimited: .rateLimited
                default: .error
                }
            }
        }
    }

    /// Turns anything a call threw into a ``ProviderError`` and decides whose fault it was. The client leaving and
    /// the request's own deadline are never the provider's failure; a provider time-out that ends exactly at the
    /// request's deadline is given the benefit of the doubt.
    func classify(_ error: any Error, at now: RouterInstant) -> Failure {
        let providerError: ProviderError =
            switch error {
            case let error as ProviderError: error
            case is CancellationError, is ClientGoneError: ProviderError(.cancelled, "cancelled")
            default: ProviderError(.connectionFailed, "unexpected provider error: \(error)")
            }
        if error is ClientGoneError || Task.isCancelled || providerError.code == .cancelled {
            if now >= deadline { return Failure(error: Self.deadline(providerError), kind: .deadline) }
            return Failure(error: providerError, kind: .clientGone)
        }
        if providerError.code == .requestDeadline || (providerError.code == .timeout && now >= deadline) {
            return Failure(error: Self.deadline(providerError), kind: .deadline)
        }
        return Failure(error: providerError, kind: .provider)
    }

    private static func deadline(_ error: ProviderError) -> ProviderError {
        var error = error
        if error.code != .requestDeadline {
            error = ProviderError(.requestDeadline, error.message, mayHaveBilled: error.mayHaveBilled)
        }
        return error
    }
}
