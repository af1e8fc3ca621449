import Synchronization

/// A provider that answers without any network: the built-in demo backend and a test double.
///
/// It waits a configurable latency on its clock, fails at a configurable rate, can be switched down, and answers
/// with the escalation marker at a configurable rate, all from a seeded random source so runs repeat exactly.
///
/// ```swift
/// let flaky = SimulatedProvider(
///     name: "cheap-cloud",
///     configuration: .init(latency: .milliseconds(80), failureRate: 0.2, seed: 7))
/// ```
public final class SimulatedProvider: LLMProvider {
    /// How the simulated backend behaves.
    public struct Configuration: Sendable, Hashable {
        /// Time to answer a call.
        public var latency: Duration
        /// Share of calls, 0...1, that fail with a simulated HTTP 503.
        public var failureRate: Double
        /// Share of calls, 0...1, answered with the escalation marker.
        public var escalationRate: Double
        /// The marker written when escalating.
        public var escalationMarker: String
        /// Starts down: every call fails with a connection error until ``SimulatedProvider/setDown(_:)``.
        public var isDown: Bool
        /// Seed of the random source that decides failures and escalations.
        public var seed: UInt64

        public init(
            latency: Duration = .milliseconds(20),
            failureRate: Double = 0,
            escalationRate: Double = 0,
            escalationMarker: String = "[ESCALATE]",
            isDown: Bool = false,
            seed: UInt64 = 42
        ) {
            self.latency = latency
            self.failureRate = failureRate
            self.escalationRate = escalationRate
            self.escalationMarker = escalationMarker
            self.isDown = isDown
            self.seed = seed
        }
    }

    private struct State {
        var isDown: Bool
        var random: SeededRandom
        var calls = 0
    }

    /// The provider's name (used in its replies).
    public let name: String
    public let configuration: Configuration
    private let sleep: @Sendable (Duration) async throws -> Void
    private let state: Mutex<State>

    /// - Parameters:
    ///   - name: shown in replies.
    ///   - configuration: latency, failure and escalation behaviour.
    ///   - clock: the clock the latency is spent on (a manual clock in tests).
    public init<C: Clock>(name: String, configuration: Configuration = .init(), clock: C)
    where C.Duration == Duration {
        self.name = name
        self.configuration = configuration
        self.sleep = { duration in
            if duration > .zero { try await clock.sleep(for: duration) }
        }
        self.state = Mutex(State(isDown: configuration.isDown, random: SeededRandom(seed: configuration.seed)))
    }

    /// A simulated provider on the continuous clock.
    public convenience init(name: String, configuration: Configuration = .init()) {
        self.init(name: name, configuration: configuration, clock: ContinuousClock())
    }

    /// Simulates an outage (or its end).
    public func setDown(_ down: Bool) {
        state.withLock { $0.isDown = down }
    }

    public var isDown: Bool { state.withLock { $0.isDown } }

    /// Calls answered or failed so far.
    public var callCount: Int { state.withLock { $0.calls } }

    public func chat(_ request: ChatRequest, options: ProviderCallOptions) async throws -> ChatResponse {
        let plan = try decide()
        try await wait(options)
        return try reply(to: request, plan: plan)
    }

    public func streamChat(
        _ request: ChatRequest,
        options: ProviderCallOptions
    ) async throws -> AsyncThrowingStream<ChatStreamChunk, any Error> {
        let plan = try decide()
        try await wait(options)
        let response = try reply(to: request, plan: plan)
        var chunks: [ChatStreamChunk] = []
        if let content = response.content {
            var piece = ""
            for character in content {
                piece.append(character)
                if character == " " {
                    chunks.append(ChatStreamChunk(contentDelta: piece))
                    piece = ""
                }
            }
            if !piece.isEmpty { chunks.append(ChatStreamChunk(contentDelta: piece)) }
        }
        for (index, call) in response.toolCalls.enumerated() {
            chunks.append(
                ChatStreamChunk(toolCallDeltas: [
                    ToolCallDelta(index: index, id: call.id, name: call.name, argumentsDelta: call.arguments)
                ]))
        }
        chunks.append(ChatStreamChunk(finishReason: response.finishReason, usage: response.usage))
        return AsyncThrowingStream { continuation in
            for chunk in chunks { continuation.yield(chunk) }
            continuation.finish()
        }
    }

    public func probe(options: ProviderCallOptions) async throws -> Bool {
        if isDown { throw ProviderError(.connectionFailed, "\(name) is down (simulated)") }
        return true
    }

    private enum Plan { case answer, escalate }

    /// Spends the configured latency, or gives up when the request's deadline comes first (a simulated provider has
    /// no time-outs of its own, so that is never its fault).
    private func wait(_ options: ProviderCallOptions) async throws {
        do {
            if let timeout = options.timeout, timeout < configuration.latency {
                try await sleep(max(timeout, .zero))
                throw ProviderError(
                    .requestDeadline, "\(name) would answer after the request's deadline of \(timeout) (simulated latency)")
            }
            try await sleep(configuration.latency)
        } catch is CancellationError {
            throw ProviderError(.cancelled, "cancelled")
        }
    }

    private func decide() throws -> Plan {
        try state.withLock { state in
            state.calls += 1
            if state.isDown { throw ProviderError(.connectionFailed, "\(name) is down (simulated)") }
            if configuration.failureRate > 0, state.random.nextUnit() < configuration.failureRate {
                throw ProviderError.http(status: 503, message: "\(name) failed (simulated)")
            }
            if configuration.escalationRate > 0, state.random.nextUnit() < configuration.escalationRate {
                return .escalate
            }
            return .answer
        }
    }

    private func reply(to request: ChatRequest, plan: Plan) throws -> ChatResponse {
        let promptTokens = TokenEstimator.expectedPromptTokens(request)
        let wantsTool =
            request.tools?.isEmpty == false && request.toolChoice != ToolChoice.none
            && request.messages.last?.role == .user
        if wantsTool, plan == .answer, let tool = request.tools?.first {
            let call = ToolCall(id: "call_\(name)_1", name: tool.name, arguments: "{}")
            return ChatResponse(
                model: request.model, content: nil, toolCalls: [call], finishReason: .toolCalls,
                usage: TokenUsage(promptTokens: promptTokens, completionTokens: 8))
        }
        let lastUser = request.messages.last { $0.role == .user }?.content ?? ""
        var text: String
        switch plan {
        case .escalate:
            text = "\(configuration.escalationMarker) This question needs a stronger model."
        case .answer:
            text = "Simulated answer from \(name)/\(request.model) to: \(lastUser.prefix(80))"
        }
        var finishReason = FinishReason.stop
        var completionTokens = TokenEstimator.estimatedTokens(forText: text)
        if let maxTokens = request.maxTokens, completionTokens > maxTokens {
            text = String(text.prefix(max(maxTokens, 0) * 4))
            completionTokens = max(maxTokens, 0)
            finishReason = .length
        }
        return ChatResponse(
            id: "sim-\(name)", model: request.model, content: text, finishReason: finishReason,
            usage: TokenUsage(promptTokens: promptTokens, completionTokens: completionTokens))
    }
}
