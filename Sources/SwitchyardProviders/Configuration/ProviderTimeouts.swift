import SwitchyardCore

/// How long a provider call may wait at each stage before it fails with ``SwitchyardCore/ProviderError/Code/timeout``.
///
/// - ``connect`` is the connect time-out of the provider's `HTTPClient` (``ProviderHTTPClients`` keeps one client per
///   distinct value), so it acts for every provider separately.
/// - ``firstByte`` bounds the wait for the response head, counted from the start of the call (a connect included).
/// - ``idle`` bounds the wait for each body piece, counted only while a piece is awaited: time a stream's consumer
///   takes between two chunks is not the provider's silence.
/// - ``total`` bounds the whole call.
///
/// Every wait is also cut by the request's own deadline (``SwitchyardCore/ProviderCallOptions/timeout``); when that
/// one passes first the call fails with ``SwitchyardCore/ProviderError/Code/requestDeadline`` instead, which is the
/// client's choice and never counts against the provider.
public struct ProviderTimeouts: Sendable, Hashable {
    /// Time to open the connection (TCP and TLS). Default 10 s.
    public var connect: Duration
    /// Time from the start of the call to the response head. A non-streaming reply sends its head only when the whole
    /// answer is ready, so this is generous. Default 120 s.
    public var firstByte: Duration
    /// Longest wait for the next piece of the body (the next stream events). Default 60 s.
    public var idle: Duration
    /// The whole call, body included. Default 300 s (less than the router's default request deadline, so it acts).
    public var total: Duration

    public init(
        connect: Duration = .seconds(10),
        firstByte: Duration = .seconds(120),
        idle: Duration = .seconds(60),
        total: Duration = .seconds(300)
    ) {
        self.connect = connect
        self.firstByte = firstByte
        self.idle = idle
        self.total = total
    }
}
