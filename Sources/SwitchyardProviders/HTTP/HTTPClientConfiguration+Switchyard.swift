public import AsyncHTTPClient
import NIOCore

extension HTTPClient.Configuration {
    /// A client configuration for a proxy that talks to a few LLM hosts with many calls at once.
    ///
    /// ``ProviderHTTPClients`` makes one client with it per distinct connect time-out; use that rather than a client
    /// of your own, so every provider's `connect_ms` applies:
    ///
    /// ```swift
    /// let clients = ProviderHTTPClients()
    /// let local = try ProviderSettings(name: "lmstudio", kind: .openAI, baseURL: "http://localhost:1234/v1")
    ///     .makeProvider(clients: clients)
    /// // …
    /// try await clients.shutdown()
    /// ```
    ///
    /// Compared with AsyncHTTPClient's defaults:
    /// - up to `maxConnectionsPerHost` HTTP/1.1 connections per host instead of 8, so concurrent streams to one local
    ///   server do not queue behind each other (HTTP/2 hosts multiplex anyway);
    /// - a failed connect fails the call at once instead of retrying until the connect time-out: the router has its
    ///   own retry, breaker and failover, and must learn quickly that a host is down;
    /// - no client-wide read time-out: every provider enforces its own first-byte and idle time-outs
    ///   (``ProviderTimeouts``);
    /// - redirects are not followed: a redirected `POST` means a wrong `base_url`, reported as such.
    ///
    /// - Parameters:
    ///   - maxConnectionsPerHost: HTTP/1.1 connections kept per host. Default 256.
    ///   - idleConnectionTimeout: how long an unused pooled connection stays open. Default 60 s.
    ///   - connectTimeout: the longest a TCP/TLS connect may take, for every host. Default 10 s.
    public static func switchyard(
        maxConnectionsPerHost: Int = 256,
        idleConnectionTimeout: Duration = .seconds(60),
        connectTimeout: Duration = .seconds(10)
    ) -> HTTPClient.Configuration {
        var pool = HTTPClient.Configuration.ConnectionPool(
            idleTimeout: TimeAmount(idleConnectionTimeout),
            concurrentHTTP1ConnectionsPerHostSoftLimit: max(1, maxConnectionsPerHost))
        pool.retryConnectionEstablishment = false
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(connect: TimeAmount(connectTimeout), read: nil),
            connectionPool: pool)
        configuration.httpVersion = .automatic
        return configuration
    }
}

extension TimeAmount {
    /// The same span as a Swift `Duration`, clamped to what `TimeAmount` can hold.
    init(_ duration: Duration) {
        self = .nanoseconds(duration.clampedNanoseconds)
    }
}

extension Duration {
    /// Whole nanoseconds, clamped to `Int64`.
    var clampedNanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return seconds < 0 ? .min : .max }
        let (sum, overflow2) = scaled.addingReportingOverflow(attoseconds / 1_000_000_000)
        if overflow2 { return seconds < 0 ? .min : .max }
        return sum
    }

    /// Milliseconds, for messages.
    var milliseconds: Int64 { clampedNanoseconds / 1_000_000 }
}
