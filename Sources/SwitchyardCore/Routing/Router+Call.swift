import struct Foundation.Date
import Synchronization

/// How one candidate's turn ended.
enum CallOutcome: Sendable {
    /// Not called: unavailable now; may be available after the given wait.
    case skipped(Duration?)
    /// Called, and failed (retries included).
    case failed
    /// Called, and answered; the attempt is `run.attempts[attemptIndex]`, not yet emitted as finished.
    case answered(Answer, attemptIndex: Int)
}

/// A stream that failed after part of it reached the client.
struct DeliveredStreamError: Error {
    var underlying: any Error
    var partialText: String
}

/// The client stopped taking chunks.
struct ClientGoneError: Error {}

extension Router {
    /// Calls one candidate, retrying with backoff while its policy allows.
    func call(
        _ candidate: Candidate,
        run: inout Run,
        isEscalation: Bool,
        filter: inout MarkerFilter,
        onChunk: ((RoutedChunk) async throws -> Void)?
    ) async throws -> CallOutcome {
        let runtime = candidate.runtime
        let provider = candidate.target.provider
        var tries = 0
        while true {
            let started = instant()
            let (permission, change) = runtime.acquire(now: started)
            report(change, provider: provider)
            if case .failure(.skipped(let reason, let wait)) = permission {
                guard tries == 0 else { return .failed }
                emit(.targetSkipped(skip(run, candidate, reason)))
                return .skipped(wait)
            }
            markUsed(candidate)
            tries += 1
            let wallStart = now()
            let seq = run.attempts.count + 1
            emit(
                .attemptStarted(
                    AttemptStarted(
                        requestID: run.request.id, seq: seq, tier: candidate.tier, provider: provider,
                        model: candidate.target.model, isEscalation: isEscalation, at: wallStart)))
            var chat = run.request.chat
            chat.model = candidate.target.model
            chat.maxTokens = candidate.maxTokens
            let options = ProviderCallOptions(requestID: run.request.id, timeout: started.duration(to: run.deadline))
            do {
                let response: ChatResponse
                if let onChunk {
                    response = try await stream(
                        chat, options: options, provider: runtime.provider, filter: &filter, run: &run,
                        onChunk: { try await onChunk(RoutedChunk(chunk: $0, provider: provider, model: chat.model)) })
                } else {
                    response = try await runtime.provider.chat(chat, options: options)
                }
                let ended = instant()
                let latency = started.duration(to: ended)
                report(runtime.finish(.success(latency: latency), now: ended, wallNow: now()), provider: provider)
                queue.signal()
                let cost = candidate.model.pricing.cost(of: response.usage)
                run.cost += cost
                run.attempts.append(
                    AttemptFinished(
                        requestID: run.request.id, seq: seq, tier: candidate.tier, provider: provider,
                        model: candidate.target.model, outcome: .success, isEscalation: isEscalation, httpStatus: nil,
                        errorCode: nil, errorMessage: nil, usage: response.usage, cost: cost, latency: latency,
                        startedAt: wallStart))
                return .answered(Answer(candidate: candidate, response: response), attemptIndex: run.attempts.count - 1)
            } catch {
                let ended = instant()
                let latency = started.duration(to: ended)
                let failure = Self.classify(error)
                let cancelled = failure.error.code == .cancelled || error is ClientGoneError
                let result: ProviderRuntime<RouterInstant>.CallResult =
                    cancelled ? .abandoned : .failure(failure.error, latency: latency)
                report(runtime.finish(result, now: ended, wallNow: now()), provider: provider)
                queue.signal()
                // A stream cut after it started still cost what it produced: count it (estimated).
                var usage: TokenUsage?
                if let partial = failure.partialText {
                    usage = TokenUsage(
                        promptTokens: TokenEstimator.expectedPromptTokens(chat),
                        completionTokens: TokenEstimator.estimatedTokens(forText: partial), isEstimated: true)
                }
                let cost = usage.map { candidate.model.pricing.cost(of: $0) } ?? .zero
                run.cost += cost
                let attempt = AttemptFinished(
                    requestID: run.request.id, seq: seq, tier: candidate.tier, provider: provider,
                    model: candidate.target.model, outcome: Self.outcome(of: failure.error, cancelled: cancelled),
                    isEscalation: isEscalation, httpStatus: failure.error.httpStatus,
                    errorCode: failure.error.code.rawValue, errorMessage: failure.error.message, usage: usage,
                    cost: cost, latency: latency, startedAt: wallStart)
                run.attempts.append(attempt)
                emit(.attemptFinished(attempt))

                if cancelled { throw RoutingError(.cancelled, "the request was cancelled") }
                if failure.partialText != nil {
                    throw RoutingError(
                        .streamInterrupted,
                        "the answer from \(provider) broke off after it started: \(failure.error.message)")
                }
                if failure.error.stopsFailover {
                    throw RoutingError(.badRequest, "\(provider) rejected the request: \(failure.error.message)")
                }
                let remaining = ended.duration(to: run.deadline)
                guard remaining > .zero else { throw deadlineError(run) }
                let delay = random.withLock { random in
                    candidate.profile.retry.delay(
                        after: failure.error, attempt: tries, remaining: remaining, using: &random)
                }
                guard let delay else { return .failed }
                do {
                    try await clock.sleep(for: delay)
                } catch {
                    throw RoutingError(.cancelled, "the request was cancelled during a retry backoff")
                }
            }
        }
    }

    /// Streams one call's answer to the client, watching for the escalation marker, and rebuilds the whole answer.
    private func stream(
        _ chat: ChatRequest,
        options: ProviderCallOptions,
        provider: any LLMProvider,
        filter: inout MarkerFilter,
        run: inout Run,
        onChunk: (ChatStreamChunk) async throws -> Void
    ) async throws -> ChatResponse {
        let chunks = try await provider.streamChat(chat, options: options)
        var builder = StreamedResponseBuilder(model: chat.model)
        do {
            for try await chunk in chunks {
                builder.add(chunk)
                var out = ChatStreamChunk(toolCallDeltas: chunk.toolCallDeltas)
                var text = chunk.contentDelta.map { filter.feed($0) } ?? ""
                if chunk.finishReason != nil {
                    text += filter.finish()
                    out.finishReason = chunk.finishReason
                    out.usage = builder.usage(estimatingFrom: chat)
                }
                if filter.shouldEscalate, !run.delivered { break }
                if !text.isEmpty { out.contentDelta = text }
                guard out.contentDelta != nil || !out.toolCallDeltas.isEmpty || out.finishReason != nil else { continue }
                run.delivered = true
                do {
                    try await onChunk(out)
                } catch {
                    throw ClientGoneError()
                }
            }
        } catch let error as ClientGoneError {
            throw error
        } catch {
            if run.delivered { throw DeliveredStreamError(underlying: error, partialText: builder.text) }
            throw error
        }
        // A stream ends quietly when its task is cancelled (the client left): that is a cancellation, not a cut.
        try Task.checkCancellation()
        if builder.finishReason == nil, !filter.shouldEscalate {
            let error = ProviderError(.streamInterrupted, "the stream ended without a finish reason")
            if run.delivered { throw DeliveredStreamError(underlying: error, partialText: builder.text) }
            throw error
        }
        return builder.response(estimatingFrom: chat)
    }

    private func markUsed(_ candidate: Candidate) {
        let tick = useCounter.wrappingAdd(1, ordering: .relaxed).newValue
        candidate.resolved.usage.lastUsed.store(tick, ordering: .relaxed)
    }

    /// Turns anything a provider threw into a ``ProviderError``.
    static func classify(_ error: any Error) -> (error: ProviderError, partialText: String?) {
        switch error {
        case let error as DeliveredStreamError:
            return (classify(error.underlying).error, error.partialText)
        case let error as ProviderError:
            return (error, nil)
        case is CancellationError, is ClientGoneError:
            return (ProviderError(.cancelled, "cancelled"), nil)
        default:
            return (ProviderError(.connectionFailed, "unexpected provider error: \(error)"), nil)
        }
    }

    static func outcome(of error: ProviderError, cancelled: Bool) -> AttemptOutcome {
        if cancelled { return .cancelled }
        switch error.code {
        case .timeout: return .timeout
        case .rateLimited: return .rateLimited
        default: return .error
        }
    }
}
