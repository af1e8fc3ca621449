import HTTPTypes
import Hummingbird
import SwitchyardCore
import SwitchyardProviders
import Testing

/// Errors that say the provider's account cannot serve anyone: they fail over and count against the breaker, and
/// are neither the client's fault nor a rate limit.
@Suite("Account-level upstream errors", .timeLimit(.minutes(1)))
struct AccountErrorTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var kind: ProviderKind
        var status: HTTPResponse.Status
        var body: String
        var headers: [String: String] = [:]
        var testDescription: String { "\(kind) HTTP \(status.code)" }
    }

    static let cases: [Case] = [
        Case(
            kind: .anthropic, status: HTTPResponse.Status(code: 402),
            body: #"{"type":"error","error":{"type":"billing_error","message":"Your credit balance is too low."}}"#),
        Case(
            kind: .anthropic, status: .badRequest,
            body:
                #"{"type":"error","error":{"type":"invalid_request_error","message":"Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing to upgrade or purchase credits."}}"#
        ),
        Case(
            kind: .anthropic, status: .badRequest,
            body: #"{"type":"error","error":{"type":"billing_error","message":"billing problem"}}"#),
        Case(
            kind: .gemini, status: .badRequest,
            body:
                #"{"error":{"code":400,"message":"User location is not supported for the API use.","status":"FAILED_PRECONDITION"}}"#
        ),
        Case(
            kind: .openAI, status: .tooManyRequests,
            body:
                #"{"error":{"message":"You exceeded your current quota, please check your plan and billing details.","type":"insufficient_quota","param":null,"code":"insufficient_quota"}}"#,
            headers: ["Retry-After": "20"]),
        Case(
            kind: .openAI, status: HTTPResponse.Status(code: 402),
            body: #"{"error":{"message":"Insufficient credits"}}"#),
    ]

    @Test(arguments: cases)
    func failsOverAndCountsAgainstTheBreaker(example: Case) async throws {
        try await withTestClient { client in
            let handler: FakeUpstream.Handler = { _ in
                Reply.json(example.body, status: example.status, headers: example.headers)
            }
            try await withFakeUpstream(handler) { upstream in
                let provider = makeProvider(example.kind, baseURL: upstream.baseURL, client: client)
                for call in [false, true] {
                    let error = await providerError {
                        if call {
                            _ = try await provider.streamChat(helloRequest, options: .init())
                        } else {
                            _ = try await provider.chat(helloRequest, options: .init())
                        }
                    }
                    #expect(error?.code == .accountUnavailable)
                    #expect(error?.httpStatus == Int(example.status.code))
                    #expect(error?.stopsFailover == false)
                    #expect(error?.countsAsBreakerFailure == true)
                    #expect(error?.isRetryable == false)
                    #expect(error?.retryAfter == nil, "not a rate-limit cool-down")
                    #expect(error?.mayHaveBilled == false)
                }
            }
        }
    }

    @Test(arguments: httpKinds)
    func anOrdinaryBadRequestStaysTheClientsFault(kind: ProviderKind) async throws {
        try await withTestClient { client in
            let handler: FakeUpstream.Handler = { _ in
                Reply.json(
                    #"{"error":{"code":400,"message":"Invalid value at 'generation_config.temperature'","status":"INVALID_ARGUMENT","type":"invalid_request_error"}}"#,
                    status: .badRequest)
            }
            try await withFakeUpstream(handler) { upstream in
                let provider = makeProvider(kind, baseURL: upstream.baseURL, client: client)
                let error = await providerError { _ = try await provider.chat(helloRequest, options: .init()) }
                #expect(error?.code == .badRequest)
                #expect(error?.stopsFailover == true)
            }
        }
    }

    @Test func anOrdinaryRateLimitStaysARateLimit() async throws {
        try await withTestClient { client in
            let handler: FakeUpstream.Handler = { _ in
                Reply.json(
                    #"{"error":{"message":"Rate limit reached for requests","type":"requests","code":"rate_limit_exceeded"}}"#,
                    status: .tooManyRequests, headers: ["Retry-After": "3"])
            }
            try await withFakeUpstream(handler) { upstream in
                let provider = makeProvider(.openAI, baseURL: upstream.baseURL, client: client)
                let error = await providerError { _ = try await provider.chat(helloRequest, options: .init()) }
                #expect(error?.code == .rateLimited)
                #expect(error?.retryAfter == .seconds(3))
            }
        }
    }
}
