import SwitchyardCore

/// How long a provider call may wait at each stage before it fails with ``SwitchyardCore/ProviderError/Code/timeout``.
///
/// The shared `HTTPClient` has one connect time-out for every host (`HTTPClient.Configuration.switchyard(...)`), so a
/// provider enforces its own ``connect`` together with ``firstByte``: the response head must arrive within
/// `connect + firstByte` of the call's start. Every wait is also cut by the call's overall deadline, the smaller of
/// ``total`` and the router's ``SwitchyardCore/ProviderCallOptions/timeout``.
public struct ProviderTimeouts: Sendable, Hashable {
    /// Time to open the connection (TCP and TLS). Default 10 s.
    public var connect: Duration
    /// Time from sending the request to receiving the response head. A non-streaming reply sends its head only when
    /// the whole answer is ready, so this is generous. Default 120 s.
    public var firstByte: Duration
    /// Longest silence between two pieces of the body (between stream events). Default 60 s.
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

    /// The time left for a call: ``total``, or the router's time-out for the call when it is shorter.
    func budget(for options: ProviderCallOptions) -> Duration {
        guard let timeout = options.timeout else { return total }
        return min(total, max(timeout, .zero))
    }
}
