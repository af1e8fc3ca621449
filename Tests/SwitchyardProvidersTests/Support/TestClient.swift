import AsyncHTTPClient
import Glibc
import SwitchyardProviders

/// Runs `body` with a client configured as the service configures it, shut down afterwards.
func withTestClient<T>(_ body: (HTTPClient) async throws -> T) async throws -> T {
    try await HTTPClient.withHTTPClient(configuration: .switchyard(connectTimeout: .seconds(5))) { client in
        try await body(client)
    }
}

/// Runs `body` with a local port that refuses connections: bound (so no other test's server can take it while
/// `body` runs) but never listening.
func withRefusingPort<T>(_ body: (Int) async throws -> T) async throws -> T {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard descriptor >= 0 else { throw RefusingPortError() }
    defer { close(descriptor) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
            bind(descriptor, socketAddress, length) == 0 && getsockname(descriptor, socketAddress, &length) == 0
        }
    }
    guard bound else { throw RefusingPortError() }
    return try await body(Int(UInt16(bigEndian: address.sin_port)))
}

struct RefusingPortError: Error {}

/// Short time-outs for tests that wait for a time-out on purpose.
let shortTimeouts = ProviderTimeouts(
    connect: .milliseconds(100), firstByte: .milliseconds(200), idle: .milliseconds(200), total: .seconds(30))

/// A short idle time-out with generous waits elsewhere, for tests where only the idle time-out may fire (a loaded
/// machine can delay a response head, but a stalled stream is stalled for good).
let stallTimeouts = ProviderTimeouts(
    connect: .seconds(5), firstByte: .seconds(20), idle: .seconds(1), total: .seconds(40))
