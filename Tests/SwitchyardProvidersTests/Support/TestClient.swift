import AsyncHTTPClient
import NIOCore
import NIOPosix
import SwitchyardProviders

/// Runs `body` with a client configured as the service configures it, shut down afterwards.
func withTestClient<T>(_ body: (HTTPClient) async throws -> T) async throws -> T {
    try await HTTPClient.withHTTPClient(configuration: .switchyard(connectTimeout: .seconds(5))) { client in
        try await body(client)
    }
}

/// A local port nothing listens on: bound by a server that is then closed.
func closedPort() async throws -> Int {
    let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        .bind(host: "127.0.0.1", port: 0).get()
    let port = channel.localAddress?.port ?? 1
    try await channel.close()
    return port
}

/// Short time-outs for tests that wait for a time-out on purpose.
let shortTimeouts = ProviderTimeouts(
    connect: .milliseconds(100), firstByte: .milliseconds(200), idle: .milliseconds(200), total: .seconds(30))

/// A short idle time-out with generous waits elsewhere, for tests where only the idle time-out may fire (a loaded
/// machine can delay a response head, but a stalled stream is stalled for good).
let stallTimeouts = ProviderTimeouts(
    connect: .seconds(5), firstByte: .seconds(20), idle: .seconds(1), total: .seconds(40))
