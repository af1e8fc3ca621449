import AsyncHTTPClient
import NIOCore
import SwitchyardCore

/// Reads a streamed response body, parses its server-sent events, decodes them into chunks and hands them to the
/// stream the provider returns.
///
/// The reading runs in one task per stream, under the call's watchdog (idle and overall time-outs), and lives
/// exactly as long as the stream: a consumer that stops listening cancels it, which cancels the upstream request.
/// After the end marker the rest of the body is drained so the connection can go back to the pool.
struct EventStreamPump<Decoder: StreamEventDecoder>: Sendable {
    var body: HTTPClientResponse.Body
    var decoder: Decoder
    var watchdog: CallWatchdog
    var idle: Duration
    var mapper: UpstreamErrorMapper

    /// Starts reading and returns the stream of chunks.
    func start() -> AsyncThrowingStream<ChatStreamChunk, any Error> {
        let (stream, continuation) = AsyncThrowingStream<ChatStreamChunk, any Error>.makeStream()
        let task = Task {
            do {
                try await watchdog.guarding { try await pump(into: continuation) }
                continuation.finish()
            } catch {
                continuation.finish(throwing: mapper.transportError(error, phase: .stream))
            }
        }
        continuation.onTermination = { termination in
            if case .cancelled = termination { task.cancel() }
        }
        return stream
    }

    private func pump(into continuation: AsyncThrowingStream<ChatStreamChunk, any Error>.Continuation) async throws {
        var parser = SSEParser()
        var decoder = self.decoder
        var iterator = body.makeAsyncIterator()
        while let piece = try await iterator.next() {
            watchdog.bodyProgressed(idle: idle)
            let events: [ServerSentEvent]
            do {
                events = try parser.feed(piece.readableBytesView)
            } catch {
                throw mapper.malformed("\(error)")
            }
            for event in events {
                for chunk in try decoder.decode(event) { continuation.yield(chunk) }
                guard decoder.isFinished else { continue }
                continuation.finish()
                // Drain what follows the end marker (normally nothing) so the connection can be reused.
                while (try? await iterator.next()) != nil { watchdog.bodyProgressed(idle: idle) }
                return
            }
        }
        for chunk in try decoder.endOfBody() { continuation.yield(chunk) }
    }
}
