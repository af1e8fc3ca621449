import Foundation
import HTTPTypes
import Hummingbird
import SwitchyardCore
import SwitchyardProviders
import SwitchyardTesting
import Testing

/// Which time-out ended a call: the request's own deadline is the client's choice, the provider's time-outs are the
/// provider's fault, and a cancelled call is neither.
@Suite("Deadlines and time-outs", .timeLimit(.minutes(1)))
struct DeadlineTests {
    @Test(arguments: httpKinds)
    func theRequestsDeadlineMidStreamIsNotTheProviders(kind: ProviderKind) async throws {
        let gate = Gate()
        try await withTestClient { client in
            let pieces = Wire.partialStream(kind)
            try await withFakeUpstream({ _ in Reply.events(pieces, then: .stall(gate)) }) { upstream in
                defer { gate.open() }
                let provider = makeProvider(kind, baseURL: upstream.baseURL, client: client, timeouts: stallTimeouts)
                let options = ProviderCallOptions(requestID: "r", timeout: .milliseconds(500))
                // Normally the head arrives in time and the stream throws; on a loaded machine streamChat may.
                let failure = await providerError {
                    for try await _ in try await provider.streamChat(helloRequest, options: options) {}
                }
                #expect(failure?.code == .requestDeadline)
                #expect(failure?.countsAsBreakerFailure == false)
                #expect(failure?.mayHaveBilled == true)
            }
        }
    }

    @Test(arguments: httpKinds)
    func theProvidersTotalTimeOutIsATimeOut(kind: ProviderKind) async throws {
        try await withSilentUpstream(kind) { upstream, client in
            let timeouts = ProviderTimeouts(
                connect: .seconds(5), firstByte: .seconds(20), idle: .seconds(20), total: .milliseconds(200))
            let provider = makeProvider(kind, baseURL: upstream.baseURL, client: client, timeouts: timeouts)
            // The request has more time left than the provider's own limit: the provider's limit is what passed.
            let options = ProviderCallOptions(requestID: "r", timeout: .seconds(30))
            let error = await providerError { _ = try await provider.chat(helloRequest, options: options) }
            #expect(error?.code == .timeout)
            #expect(error?.message.contains("total_ms") == true)
            #expect(error?.countsAsBreakerFailure == true)
            #expect(error?.mayHaveBilled == true)
        }
    }

    @Test(arguments: httpKinds)
    func aCancelledCallStaysCancelled(kind: ProviderKind) async throws {
        let arrived = Gate()
        let release = Gate()
        try await withTestClient { client in
            try await withFakeUpstream({ _ in
                arrived.open()
                try await release.wait()
                return Reply.json(Wire.hello(kind))
            }) { upstream in
                defer { release.open() }
                let provider = makeProvider(kind, baseURL: upstream.baseURL, client: client)
                let options = ProviderCallOptions(requestID: "r", timeout: .seconds(20))
                let call = Task { await providerError { _ = try await provider.chat(helloRequest, options: options) } }
                try await arrived.wait()
                call.cancel()
                let error = await call.value
                #expect(error?.code == .cancelled)
                #expect(error?.countsAsBreakerFailure == false)
            }
        }
    }

    @Test(arguments: httpKinds)
    func connectMsIsTheConnectTimeOutOfTheProvidersClient(kind: ProviderKind) async throws {
        let clients = ProviderHTTPClients()
        do {
            try await withRawListener(backlog: 0) { listener in
                listener.fillAcceptQueue()  // further connects hang: only the connect time-out can end them
                let timeouts = ProviderTimeouts(
                    connect: .milliseconds(150), firstByte: .seconds(20), idle: .seconds(20), total: .seconds(30))
                let options: any ProviderKindOptions =
                    switch kind {
                    case .openAI:
                        HTTPProviderOptions<OpenAICompatibleProvider>(
                            configuration: .init(baseURL: listener.baseURL + "/v1", timeouts: timeouts))
                    case .anthropic:
                        HTTPProviderOptions<AnthropicProvider>(
                            configuration: .init(baseURL: listener.baseURL, timeouts: timeouts))
                    default:
                        HTTPProviderOptions<GeminiProvider>(configuration: .init(baseURL: listener.baseURL, timeouts: timeouts))
                    }
                let provider = try options.makeProvider(name: "hangs", context: ProviderBuildContext(clients: clients))
                let error = await providerError { _ = try await provider.chat(helloRequest, options: .init()) }
                #expect(error?.code == .timeout)
                #expect(error?.message.contains("connect") == true)
                #expect(error?.mayHaveBilled == false, "nothing was sent")
            }
            // The call went through a client made with this connect time-out (not the shared client's 10 s
            // default). Not checked by the clock: at the start of a full run on 2 cores the error's delivery can
            // take seconds.
            #expect(clients.connectTimeouts == [.milliseconds(150)])
        } catch {
            try await clients.shutdown()
            throw error
        }
        try await clients.shutdown()
    }

    @Test func providersWithTheSameConnectTimeOutShareAClient() async throws {
        let clients = ProviderHTTPClients()
        let first = try clients.client(connectTimeout: .seconds(2))
        let again = try clients.client(connectTimeout: .seconds(2))
        let other = try clients.client(connectTimeout: .seconds(3))
        #expect(first === again)
        #expect(first !== other)
        #expect(clients.connectTimeouts == [.seconds(2), .seconds(3)])
        try await clients.shutdown()
        #expect(throws: (any Error).self) { _ = try clients.client(connectTimeout: .seconds(2)) }
        try await clients.shutdown()
    }
}
