import AsyncHTTPClient
import NIOCore
import SwitchyardCore
import Synchronization

/// Reads a streamed response body on demand: parses its server-sent events and decodes them into chunks only as the
/// consumer asks for them.
///
/// Backpressure: there is no reading task and no buffer between upstream and consumer. Each ``next()`` hands out a
/// chunk already decoded from the last body piece or reads the next piece (AsyncHTTPClient keeps at most one piece
/// ahead and stops reading the socket until it is taken), so a slow consumer slows the upstream through TCP instead
/// of pinning memory. The idle time-out is armed only while a piece is awaited; time the consumer spends between
/// chunks is not upstream silence. The overall deadline keeps running.
///
/// Bounds: one event (or line) larger than ``maxEventBytes``, or a body larger than `maxStreamBytes`, fails with
/// ``SwitchyardCore/ProviderError/Code/malformedResponse``.
///
/// Dropping the stream releases the body, which cancels the upstream request. After the end marker, the next ask
/// drains what follows (normally only the end of the body, waiting at most a second) so the connection can go back
/// to the pool, then ends the stream.
final class EventStreamReader<Decoder: StreamEventDecoder>: @unchecked Sendable {
    // @unchecked: the mutable state below is touched only inside `next()`, and `busy` lets one `next()` run at a time
    // (the unfolding stream calls it once per ask of its single consumer; a second concurrent consumer is refused).

    /// The largest event, and the largest line, accepted: 1 MiB.
    static var maxEventBytes: Int { 1 << 20 }

    private enum Stage {
        case reading
        /// The decoder saw the end marker; what follows is drained on the next ask.
        case draining
        /// Decoding failed after some chunks of the same piece: they are handed out first, then the error.
        case failed(any Error)
        case done
    }

    private var body: HTTPClientResponse.Body.AsyncIterator
    private var parser = SSEParser(maxEventBytes: EventStreamReader.maxEventBytes)
    private var decoder: Decoder
    private var pending: [ChatStreamChunk] = []
    private var pendingIndex = 0
    private var stage = Stage.reading
    private var bytesRead = 0
    private let busy = Atomic<Bool>(false)

    private let watchdog: CallWatchdog
    private let idle: Duration
    private let maxStreamBytes: Int
    private let mapper: UpstreamErrorMapper

    init(
        body: HTTPClientResponse.Body,
        decoder: Decoder,
        watchdog: CallWatchdog,
        idle: Duration,
        maxStreamBytes: Int,
        mapper: UpstreamErrorMapper
    ) {
        self.body = body.makeAsyncIterator()
        self.decoder = decoder
        self.watchdog = watchdog
        self.idle = idle
        self.maxStreamBytes = maxStreamBytes
        self.mapper = mapper
    }

    /// The chunks, read as they are asked for.
    func stream() -> AsyncThrowingStream<ChatStreamChunk, any Error> {
        AsyncThrowingStream(unfolding: { try await self.next() })
    }

    /// The next chunk, `nil` at the end. After an error, the stream has ended.
    func next() async throws -> ChatStreamChunk? {
        guard busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else {
            throw mapper.interrupted("a stream was read by two consumers at once")
        }
        defer { busy.store(false, ordering: .releasing) }
        do {
            return try await produce()
        } catch {
            stage = .done
            pending = []
            pendingIndex = 0
            throw mapper.transportError(error, phase: .stream)
        }
    }

    private func produce() async throws -> ChatStreamChunk? {
        while true {
            if pendingIndex < pending.count {
                defer { pendingIndex += 1 }
                return pending[pendingIndex]
            }
            pending.removeAll(keepingCapacity: true)
            pendingIndex = 0
            switch stage {
            case .done:
                return nil
            case .failed(let error):
                throw error
            case .draining:
                stage = .done
                await drain()
                return nil
            case .reading:
                guard let piece = try await read() else {
                    stage = .done
                    pending = try decoder.endOfBody()
                    continue
                }
                try decode(piece)
            }
        }
    }

    /// The next body piece, waited for under the idle time-out (or `idle`); `nil` at the end of the body.
    private func read(idle: Duration? = nil) async throws -> ByteBuffer? {
        watchdog.bodyProgressed(idle: idle ?? self.idle)
        guard let piece = try await watchdog.guarding({ try await self.body.next() }) else { return nil }
        bytesRead += piece.readableBytes  // bounded by the check below, so it cannot overflow
        guard bytesRead <= maxStreamBytes else {
            throw mapper.malformed("the stream is larger than \(maxStreamBytes) bytes")
        }
        return piece
    }

    private func decode(_ piece: ByteBuffer) throws {
        let events: [ServerSentEvent]
        do {
            events = try piece.withUnsafeReadableBytes { try parser.feed($0) }
        } catch {
            throw mapper.malformed("\(error)")
        }
        for event in events {
            do {
                pending += try decoder.decode(event)
            } catch {
                stage = .failed(error)
                return
            }
            if decoder.isFinished {
                stage = .draining
                return
            }
        }
    }

    /// Reads what follows the end marker (normally only the end of the body) so the connection can be reused, waiting
    /// at most a second for each piece and up to the stream's bound; failures do not matter any more.
    private func drain() async {
        let wait = min(idle, .seconds(1))
        while (try? await read(idle: wait)) != nil {}
    }
}
