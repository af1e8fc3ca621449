import AsyncHTTPClient
import Logging
import NIOCore
import NIOHTTP1
import SwitchyardCore

/// The HTTP plumbing every provider kind shares: sending a call on the shared client under its time-outs, turning
/// error statuses and transport failures into ``ProviderError``s, and reading whole bodies or event streams.
struct HTTPTransport: Sendable {
    /// One request, ready to send.
    struct Call: Sendable {
        var method: HTTPMethod
        var url: String
        var headers: HTTPHeaders
        var body: ByteBuffer?
    }

    var providerName: String
    var client: HTTPClient
    var timeouts: ProviderTimeouts
    /// The largest complete body accepted.
    var maxResponseBytes: Int
    /// The most bytes one stream may read in all.
    var maxStreamBytes: Int
    var mapper: UpstreamErrorMapper
    var logger: Logger

    /// How much of an error body is read for its message.
    static let errorBodyLimit = 64 * 1024

    /// Sends `call` and returns the whole body of its 2xx answer.
    func fetch(_ call: Call, options: ProviderCallOptions) async throws -> ByteBuffer {
        let watchdog = makeWatchdog(options)
        let idle = timeouts.idle
        let limit = maxResponseBytes
        // One watchdog for the head and the body: its deadline moves from the first-byte to the idle time-out.
        return try await watchdog.guarding {
            let response = try await send(call, options: options, watchdog: watchdog)
            do {
                watchdog.bodyProgressed(idle: idle)
                var collected = ByteBuffer()
                for try await piece in response.body {
                    watchdog.bodyProgressed(idle: idle)
                    guard collected.readableBytes + piece.readableBytes <= limit else {
                        throw mapper.malformed("the response is larger than \(limit) bytes")
                    }
                    collected.writeImmutableBuffer(piece)
                }
                return collected
            } catch {
                throw mapper.transportError(error, phase: .body)
            }
        }
    }

    /// Sends `call` and returns its answer as a stream of chunks made by `decoder` from the server-sent events, read
    /// from upstream only as fast as they are asked for (``EventStreamReader``).
    ///
    /// Failures before the first byte of the body throw from here; later ones are thrown by the stream.
    func stream<Decoder: StreamEventDecoder>(
        _ call: Call,
        options: ProviderCallOptions,
        decoder: Decoder
    ) async throws -> AsyncThrowingStream<ChatStreamChunk, any Error> {
        let watchdog = makeWatchdog(options)
        let response = try await open(call, options: options, watchdog: watchdog)
        if let type = response.headers.first(name: "content-type")?.lowercased(), type.contains("application/json") {
            throw mapper.malformed("asked for an event stream, got \(type); does this server support streaming?")
        }
        return EventStreamReader(
            body: response.body, decoder: decoder, watchdog: watchdog, idle: timeouts.idle,
            maxStreamBytes: maxStreamBytes, mapper: mapper
        ).stream()
    }

    /// Sends `call` and waits for a 2xx response head under `watchdog`; an error status throws its classified error.
    private func open(
        _ call: Call,
        options: ProviderCallOptions,
        watchdog: CallWatchdog
    ) async throws -> HTTPClientResponse {
        try await watchdog.guarding { try await send(call, options: options, watchdog: watchdog) }
    }

    /// Sends `call` and waits for a 2xx response head; an error status throws its classified error. The caller
    /// runs it under `watchdog` (``CallWatchdog/guarding(_:)``).
    private func send(
        _ call: Call,
        options: ProviderCallOptions,
        watchdog: CallWatchdog
    ) async throws -> HTTPClientResponse {
        var request = HTTPClientRequest(url: call.url)
        request.method = call.method
        request.headers = call.headers
        if let body = call.body { request.body = .bytes(body) }
        // The client's own deadline is only a back-stop behind the watchdog's, which names the time-out.
        let remaining = ContinuousClock.now.duration(to: watchdog.deadline) + .seconds(1)
        let deadline = NIODeadline.now() + TimeAmount(remaining)
        var logger = self.logger
        // Setting metadata re-renders the handler's whole metadata (StreamLogHandler does): only pay for it when
        // these calls are logged at all.
        if logger.logLevel <= .debug {
            logger[metadataKey: "switchyard.provider"] = .string(providerName)
            if !options.requestID.isEmpty { logger[metadataKey: "switchyard.request_id"] = .string(options.requestID) }
        }
        logger.debug("provider call", metadata: ["http.method": "\(call.method)", "url": "\(call.url)"])

        let response: HTTPClientResponse
        do {
            response = try await client.execute(request, deadline: deadline, logger: logger)
        } catch {
            let failure = mapper.transportError(error, phase: .request)
            logger.debug("provider call failed", metadata: ["error": "\(failure)"])
            throw failure
        }
        let status = Int(response.status.code)
        guard (200..<300).contains(status) else {
            watchdog.bodyProgressed(idle: timeouts.idle)
            let body = (try? await Self.prefix(of: response.body)) ?? []
            let failure = mapper.httpError(status: status, headers: response.headers, body: body)
            logger.debug("provider call failed", metadata: ["error": "\(failure)"])
            throw failure
        }
        return response
    }

    private func makeWatchdog(_ options: ProviderCallOptions) -> CallWatchdog {
        // The connect time-out is the client's own (``ProviderHTTPClients``); the head time-out counts from the start.
        CallWatchdog(
            providerName: providerName, total: timeouts.total, requestTimeout: options.timeout,
            headTimeout: timeouts.firstByte)
    }

    /// The first ``errorBodyLimit`` bytes of a body.
    private static func prefix(of body: HTTPClientResponse.Body) async throws -> [UInt8] {
        var bytes: [UInt8] = []
        for try await piece in body {
            bytes.append(contentsOf: piece.readableBytesView.prefix(errorBodyLimit - bytes.count))
            if bytes.count >= errorBodyLimit { break }
        }
        return bytes
    }
}

extension HTTPTransport {
    /// The transport of one provider, whose error mapper redacts the provider's API key from upstream messages.
    init(
        providerName: String,
        client: HTTPClient,
        apiKey: APIKey?,
        timeouts: ProviderTimeouts,
        maxResponseBytes: Int,
        maxStreamBytes: Int,
        logger: Logger
    ) {
        self.init(
            providerName: providerName, client: client, timeouts: timeouts, maxResponseBytes: maxResponseBytes,
            maxStreamBytes: maxStreamBytes,
            mapper: UpstreamErrorMapper(providerName: providerName, secrets: apiKey.map { [$0.value] } ?? []),
            logger: logger)
    }
}
