import SwitchyardCore

/// Turns one API's server-sent events into ``SwitchyardCore/ChatStreamChunk``s: a synchronous state machine, so each
/// API's stream format is tested without a socket.
protocol StreamEventDecoder: Sendable {
    /// The chunks one event makes (often none). Throws a ``ProviderError`` for an error event or bad JSON.
    mutating func decode(_ event: ServerSentEvent) throws -> [ChatStreamChunk]

    /// `true` once the stream's end marker arrived; the reader then stops.
    var isFinished: Bool { get }

    /// The body ended. Returns the final chunks when the stream is complete without an explicit end marker;
    /// throws ``ProviderError/Code/streamInterrupted`` when it was cut.
    mutating func endOfBody() throws -> [ChatStreamChunk]
}
