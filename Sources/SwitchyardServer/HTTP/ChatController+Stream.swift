import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import SwitchyardCore
import SwitchyardStore

extension ChatController {
    /// What the routing task hands the response writer after the first chunk.
    enum StreamItem: Sendable {
        case chunk(RoutedChunk)
        case summary(RoutedResponse)
        /// Time to write an SSE comment, so a client that went away is noticed while the upstream is quiet.
        case heartbeat
    }

    /// Streams as server-sent events.
    ///
    /// Routing runs in its own task so that failures before the first chunk (budget, unknown model, every provider
    /// down, deadline) still get their proper HTTP status. After that the answer is `data:` events in OpenAI's
    /// chunk shape, a last chunk with `usage` and no choices when the client asked for it
    /// (`stream_options.include_usage`), the `switchyard` summary on the last chunk, then `data: [DONE]`; a stream
    /// that breaks ends with a `data: {"error": ...}` event and no `[DONE]`. The event shapes are `writer`'s.
    ///
    /// Chunks pass through a bounded ``StreamHandoff``: a client that reads slowly slows the upstream call down
    /// instead of filling memory, and one that takes nothing for ``ServerSettings/streamStallTimeout`` is treated as
    /// gone. While the upstream is silent the writer sends an SSE comment every ``SwitchyardRuntime/sseHeartbeat``;
    /// when the client has gone, that write fails. Either way the routing task is cancelled, so the upstream call
    /// stops and the request is recorded as cancelled, billed for what the provider produced.
    func stream(_ routing: RoutingRequest, writer: some AnswerStreamWriter) async throws -> Response {
        let (head, headContinuation) = AsyncThrowingStream<RoutedChunk, any Error>.makeStream()
        let rest = StreamHandoff<StreamItem>(capacity: Self.streamBufferChunks)
        let router = self.router
        let task = Task {
            var started = false
            do {
                let summary = try await router.routeStream(routing) { chunk in
                    if !started {
                        started = true
                        headContinuation.yield(chunk)
                        headContinuation.finish()
                    } else {
                        try await rest.send(.chunk(chunk))
                    }
                }
                headContinuation.finish()
                try? await rest.send(.summary(summary))
                rest.finish()
            } catch {
                headContinuation.finish(throwing: error)
                rest.finish(throwing: error)
            }
        }
        let first: RoutedChunk?
        do {
            first = try await withTaskCancellationHandler {
                try await head.first { _ in true }
            } onCancel: {
                task.cancel()
            }
        } catch let error as RoutingError {
            throw APIError(error).with(requestID: routing.id)
        }
        var headers: HTTPFields = [
            .contentType: "text/event-stream", .cacheControl: "no-cache", .switchyardRequestID: routing.id,
        ]
        if let first { headers[.switchyardProvider] = first.provider }
        let heartbeat = sseHeartbeat
        let stallTimeout = streamStallTimeout
        return Response(
            status: .ok, headers: headers,
            body: ResponseBody { body in
                let watch = Task {
                    let tick = min(heartbeat, stallTimeout / 4)
                    var lastBeat = ContinuousClock.now
                    while !Task.isCancelled {
                        try await Task.sleep(for: tick)
                        let now = ContinuousClock.now
                        if rest.expireStalledSender(waitingSince: now - stallTimeout) { task.cancel() }
                        if lastBeat.duration(to: now) >= heartbeat {
                            rest.offer(.heartbeat)
                            lastBeat = now
                        }
                    }
                }
                defer {
                    watch.cancel()
                    rest.close()
                }
                do {
                    try await writer.write(first: first, rest: rest, to: &body)
                } catch {
                    // The client went away (or the connection broke): stop the upstream call.
                    task.cancel()
                    throw error
                }
                try await body.finish(nil)
            })
    }

    /// Chunks that may wait between the routing task and a slow client.
    static let streamBufferChunks = 16
}

/// Writes one streamed answer in an API's server-sent events: the first chunk, then what the routing task hands
/// over (chunks, heartbeats, the summary), ending with the API's own end of stream; a ``RoutingError`` after the
/// first chunk ends it with the API's error event instead.
protocol AnswerStreamWriter: Sendable {
    func write(
        first: RoutedChunk?,
        rest: StreamHandoff<ChatController.StreamItem>,
        to body: inout any ResponseBodyWriter
    ) async throws
}

/// Writes one streamed answer as OpenAI's `chat.completion.chunk` events.
struct OpenAIStreamWriter: AnswerStreamWriter {
    let id: String
    let requestID: String
    let created: Int
    let includeUsage: Bool

    /// Writes the chunks as they come, except the one that says why the answer ended, which waits for the summary.
    /// The `switchyard` summary rides on the last chunk: the usage chunk (empty `choices`) when the client asked for
    /// usage, else the chunk with `finish_reason`, so no chunk has empty `choices` unless usage was asked for.
    func write(
        first: RoutedChunk?,
        rest: StreamHandoff<ChatController.StreamItem>,
        to body: inout any ResponseBodyWriter
    ) async throws {
        var model = first.map { "\($0.provider)/\($0.model)" } ?? ""
        var ending: OpenAIChatChunk?
        var next = first.map { (chunk: $0, first: true) }
        do {
            while true {
                if let (routed, isFirst) = next {
                    next = nil
                    model = "\(routed.provider)/\(routed.model)"
                    if let held = ending {
                        try await body.write(Self.event(held))
                        ending = nil
                    }
                    let chunk = self.chunk(routed, first: isFirst)
                    if routed.chunk.finishReason != nil {
                        ending = chunk
                    } else {
                        try await body.write(Self.event(chunk))
                    }
                }
                guard let item = try await rest.next() else { break }
                switch item {
                case .chunk(let chunk):
                    next = (chunk, false)
                case .summary(let summary):
                    var closing =
                        ending
                        ?? OpenAIChatChunk(
                            id: id, created: created, model: model,
                            choices: [.init(delta: .init(), finishReason: summary.response.finishReason.rawValue)],
                            usage: includeUsage ? .null : .absent)
                    ending = nil
                    if includeUsage {
                        try await body.write(Self.event(closing))
                        try await body.write(
                            Self.event(
                                OpenAIChatChunk(
                                    id: id, created: created, model: model, choices: [],
                                    usage: .figures(Usage(summary.response.usage)), switchyard: Summary(summary))))
                    } else {
                        closing.switchyard = Summary(summary)
                        try await body.write(Self.event(closing))
                    }
                case .heartbeat:
                    try await body.write(ByteBuffer(string: ": keep-alive\n\n"))
                }
            }
            if let held = ending { try await body.write(Self.event(held)) }
            try await body.write(ByteBuffer(string: "data: [DONE]\n\n"))
        } catch let error as RoutingError {
            // The stream broke after it started: say so, and never end with [DONE].
            if let held = ending { try await body.write(Self.event(held)) }
            try await body.write(Self.event(["error": APIError(error).with(requestID: requestID).errorObject]))
        }
    }

    private func chunk(_ routed: RoutedChunk, first: Bool) -> OpenAIChatChunk {
        OpenAIChatChunk(
            id: id, created: created, model: "\(routed.provider)/\(routed.model)",
            choices: [
                .init(delta: .init(routed.chunk, first: first), finishReason: routed.chunk.finishReason?.rawValue)
            ],
            usage: includeUsage ? .null : .absent)
    }

    static func event(_ value: some Encodable) throws -> ByteBuffer {
        var buffer = ByteBuffer(string: "data: ")
        buffer.writeBytes(try SwitchyardJSON.encoder.encode(value))
        buffer.writeString("\n\n")
        return buffer
    }
}
