public import AsyncHTTPClient
public import NIOCore
import Synchronization

/// The HTTP clients the providers call through: one `HTTPClient` per distinct connect time-out, all sharing one event
/// loop group and one configuration, so that every provider's ``ProviderTimeouts/connect`` (`connect_ms`) is the
/// connect time-out of the client it calls through.
///
/// Create one for the service, build every provider from it, and shut it down once when the service stops:
///
/// ```swift
/// let clients = ProviderHTTPClients()
/// let provider = try settings.makeProvider(clients: clients)
/// // … serve …
/// try await clients.shutdown()
/// ```
///
/// Each client uses ``AsyncHTTPClient/HTTPClient/Configuration/switchyard(maxConnectionsPerHost:idleConnectionTimeout:connectTimeout:)``:
/// up to ``maxConnectionsPerHost`` HTTP/1.1 connections per host (AsyncHTTPClient's default is 8, which would queue
/// concurrent streams to one backend behind each other), no retry of a failed connect, no client-wide read
/// time-out, no redirects. Providers with the same connect time-out share a client and its connection pool.
public final class ProviderHTTPClients: Sendable {
    /// HTTP/1.1 connections kept per host by each client. Default 256.
    public let maxConnectionsPerHost: Int
    /// How long an unused pooled connection stays open. Default 60 s.
    public let idleConnectionTimeout: Duration
    private let eventLoopGroup: any EventLoopGroup

    private struct State {
        var clients: [Duration: HTTPClient] = [:]
        var isShutDown = false
    }
    private let state = Mutex(State())

    /// - Parameters:
    ///   - maxConnectionsPerHost: HTTP/1.1 connections per host and client. Default 256.
    ///   - idleConnectionTimeout: how long an unused pooled connection stays open. Default 60 s.
    ///   - eventLoopGroup: the loops every client runs on. Default: AsyncHTTPClient's shared singleton group.
    public init(
        maxConnectionsPerHost: Int = 256,
        idleConnectionTimeout: Duration = .seconds(60),
        eventLoopGroup: any EventLoopGroup = HTTPClient.defaultEventLoopGroup
    ) {
        self.maxConnectionsPerHost = maxConnectionsPerHost
        self.idleConnectionTimeout = idleConnectionTimeout
        self.eventLoopGroup = eventLoopGroup
    }

    /// The client whose connect time-out is `connectTimeout`, created on first use.
    ///
    /// - Throws: `HTTPClientError.alreadyShutdown` after ``shutdown()``.
    public func client(connectTimeout: Duration) throws -> HTTPClient {
        try state.withLock { state in
            guard !state.isShutDown else { throw HTTPClientError.alreadyShutdown }
            if let client = state.clients[connectTimeout] { return client }
            let client = HTTPClient(
                eventLoopGroup: eventLoopGroup,
                configuration: .switchyard(
                    maxConnectionsPerHost: maxConnectionsPerHost, idleConnectionTimeout: idleConnectionTimeout,
                    connectTimeout: connectTimeout))
            state.clients[connectTimeout] = client
            return client
        }
    }

    /// The connect time-outs that have a client, shortest first.
    public var connectTimeouts: [Duration] { state.withLock { $0.clients.keys.sorted() } }

    /// Shuts every client down (their in-flight calls fail); later calls to ``client(connectTimeout:)`` throw.
    /// Call it once, when the service stops. Shutting down twice does nothing more.
    public func shutdown() async throws {
        let clients = state.withLock { state in
            state.isShutDown = true
            defer { state.clients = [:] }
            return Array(state.clients.values)
        }
        var firstError: (any Error)?
        for client in clients {
            do {
                try await client.shutdown()
            } catch {
                firstError = firstError ?? error
            }
        }
        if let firstError { throw firstError }
    }
}
