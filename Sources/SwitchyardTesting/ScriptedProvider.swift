public import SwitchyardCore
import Synchronization

/// A provider that plays back a script of answers and failures, one per call, and records every request.
///
/// When the script runs out it repeats its last step. Use it to drive exact routing scenarios:
///
/// ```swift
/// let flaky = ScriptedProvider([.fail(.http(status: 503, message: "down")), .reply("hello")])
/// ```
public final class ScriptedProvider: LLMProvider {
    /// One call's behaviour.
    public enum Step: Sendable {
        /// Answer with this text and usage.
        case reply(String, usage: TokenUsage = TokenUsage(promptTokens: 10, completionTokens: 5))
        /// Answer with tool calls.
        case toolCalls([ToolCall], usage: TokenUsage = TokenUsage(promptTokens: 10, completionTokens: 5))
        /// Fail with this error.
        case fail(ProviderError)
        /// Stream these chunks, then fail with the error if one is given (a stream cut mid-way).
        case stream([ChatStreamChunk], thenFail: ProviderError? = nil)
    }

    private struct State {
        var steps: [Step]
        var requests: [ChatRequest] = []
        var probeHealthy = true
    }

    private let state: Mutex<State>

    public init(_ steps: [Step]) {
        precondition(!steps.isEmpty, "a script needs at least one step")
        self.state = Mutex(State(steps: steps))
    }

    /// Every request received, in order.
    public var requests: [ChatRequest] { state.withLock { $0.requests } }
    public var callCount: Int { requests.count }

    /// Replaces the rest of the script.
    public func setScript(_ steps: [Step]) {
        precondition(!steps.isEmpty, "a script needs at least one step")
        state.withLock { $0.steps = steps }
    }

    /// What ``probe(options:)`` answers.
    public func setProbeHealthy(_ healthy: Bool) {
        state.withLock { $0.probeHealthy = healthy }
    }

    private func next(_ request: ChatRequest) -> Step {
        state.withLock { state in
            state.requests.append(request)
            return state.steps.count > 1 ? state.steps.removeFirst() : state.steps[0]
        }
    }

    public func chat(_ request: ChatRequest, options: ProviderCallOptions) async throws -> ChatResponse {
        switch next(request) {
        case .reply(let text, let usage):
            return ChatResponse(model: request.model, content: text, finishReason: .stop, usage: usage)
        case .toolCalls(let calls, let usage):
            return ChatResponse(
                model: request.model, content: nil, toolCalls: calls, finishReason: .toolCalls, usage: usage)
        case .fail(let error):
            throw error
        case .stream(let chunks, let error):
            if let error { throw error }
            let text = chunks.compactMap(\.contentDelta).joined()
            let usage = chunks.compactMap(\.usage).last ?? TokenUsage(promptTokens: 10, completionTokens: 5)
            return ChatResponse(model: request.model, content: text, finishReason: .stop, usage: usage)
        }
    }

    public func streamChat(
        _ request: ChatRequest,
        options: ProviderCallOptions
    ) async throws -> AsyncThrowingStream<ChatStreamChunk, any Error> {
        let step = next(request)
        let chunks: [ChatStreamChunk]
        var failure: ProviderError?
        switch step {
        case .reply(let text, let usage):
            chunks = text.split(separator: " ", omittingEmptySubsequences: false).enumerated().map { index, word in
                ChatStreamChunk(contentDelta: index == 0 ? String(word) : " " + word)
            } + [ChatStreamChunk(finishReason: .stop, usage: usage)]
        case .toolCalls(let calls, let usage):
            chunks =
                calls.enumerated().map { index, call in
                    ChatStreamChunk(toolCallDeltas: [
                        ToolCallDelta(index: index, id: call.id, name: call.name, argumentsDelta: call.arguments)
                    ])
                } + [ChatStreamChunk(finishReason: .toolCalls, usage: usage)]
        case .fail(let error):
            throw error
        case .stream(let scripted, let error):
            chunks = scripted
            failure = error
        }
        return AsyncThrowingStream { continuation in
            for chunk in chunks { continuation.yield(chunk) }
            continuation.finish(throwing: failure)
        }
    }

    public func probe(options: ProviderCallOptions) async throws -> Bool {
        if state.withLock({ $0.probeHealthy }) { return true }
        throw ProviderError(.connectionFailed, "probe failed (scripted)")
    }
}
