import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import SwitchyardCore
import Testing

@testable import SwitchyardProviders

@Suite("Error mapping")
struct UpstreamErrorMapperTests {
    let mapper = UpstreamErrorMapper(
        providerName: "up", secrets: ["sk-secret-123456"], now: { Date(timeIntervalSince1970: 1_445_412_480) })

    private func map(_ status: Int, _ body: String, headers: [(String, String)] = []) -> ProviderError {
        mapper.httpError(status: status, headers: HTTPHeaders(headers), body: Array(body.utf8))
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var status: Int
        var body: String
        var code: ProviderError.Code
        var retryable: Bool
        var testDescription: String { "HTTP \(status) → \(code)" }
    }

    @Test(arguments: [
        Case(
            status: 429, body: #"{"error":{"message":"slow down","type":"rate_limit_error"}}"#, code: .rateLimited,
            retryable: true),
        Case(status: 500, body: #"{"error":{"message":"boom"}}"#, code: .serverError, retryable: true),
        Case(status: 503, body: "<html>bad gateway</html>", code: .serverError, retryable: true),
        Case(
            status: 529, body: #"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#,
            code: .serverError, retryable: true),
        Case(status: 401, body: #"{"error":{"message":"bad key"}}"#, code: .authentication, retryable: false),
        Case(status: 403, body: #"{"error":{"message":"forbidden"}}"#, code: .authentication, retryable: false),
        Case(status: 404, body: #"{"error":{"message":"no such model"}}"#, code: .notFound, retryable: false),
        Case(status: 405, body: "", code: .notFound, retryable: false),
        Case(
            status: 400, body: #"{"error":{"message":"bad temperature","type":"invalid_request_error"}}"#,
            code: .badRequest, retryable: false),
        // OpenAI
        Case(
            status: 400,
            body:
                #"{"error":{"message":"This model's maximum context length is 8192 tokens.","type":"invalid_request_error","code":"context_length_exceeded"}}"#,
            code: .contextLengthExceeded, retryable: false),
        // llama.cpp
        Case(
            status: 400,
            body:
                #"{"error":{"code":400,"message":"the request exceeds the available context size, try increasing it","type":"exceed_context_size_error"}}"#,
            code: .contextLengthExceeded, retryable: false),
        // Anthropic
        Case(
            status: 400,
            body:
                #"{"type":"error","error":{"type":"invalid_request_error","message":"prompt is too long: 210000 tokens > 200000 maximum"}}"#,
            code: .contextLengthExceeded, retryable: false),
        // Gemini
        Case(
            status: 400,
            body:
                #"{"error":{"code":400,"message":"The input token count (1200000) exceeds the maximum number of tokens allowed (1048576).","status":"INVALID_ARGUMENT"}}"#,
            code: .contextLengthExceeded, retryable: false),
        Case(
            status: 400,
            body:
                #"{"error":{"code":400,"message":"API key not valid. Please pass a valid API key.","status":"INVALID_ARGUMENT","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"API_KEY_INVALID"}]}}"#,
            code: .authentication, retryable: false),
        Case(status: 413, body: "", code: .contextLengthExceeded, retryable: false),
        // Account-level: no credit, no quota, a billing or region precondition.
        Case(
            status: 402, body: #"{"type":"error","error":{"type":"billing_error","message":"no credit"}}"#,
            code: .accountUnavailable, retryable: false),
        Case(
            status: 400, body: #"{"type":"error","error":{"type":"billing_error","message":"no credit"}}"#,
            code: .accountUnavailable, retryable: false),
        Case(
            status: 429,
            body:
                #"{"error":{"message":"You exceeded your current quota","type":"insufficient_quota","code":"insufficient_quota"}}"#,
            code: .accountUnavailable, retryable: false),
        Case(
            status: 400,
            body:
                #"{"error":{"code":400,"message":"User location is not supported for the API use.","status":"FAILED_PRECONDITION"}}"#,
            code: .accountUnavailable, retryable: false),
        Case(
            status: 400,
            body:
                #"{"type":"error","error":{"type":"invalid_request_error","message":"Your credit balance is too low to access the Anthropic API."}}"#,
            code: .accountUnavailable, retryable: false),
        Case(status: 302, body: "", code: .notFound, retryable: false),
    ])
    func classifiesStatuses(_ example: Case) {
        let error = map(example.status, example.body)
        #expect(error.code == example.code)
        #expect(error.isRetryable == example.retryable)
        #expect(error.httpStatus == example.status)
    }

    @Test func badRequestStopsFailoverButContextLengthDoesNot() {
        #expect(map(400, #"{"error":{"message":"bad"}}"#).stopsFailover)
        #expect(!map(400, #"{"error":{"code":"context_length_exceeded","message":"x"}}"#).stopsFailover)
    }

    @Test func keepsTheUpstreamMessageTruncated() {
        let long = String(repeating: "x", count: 1000)
        let error = map(500, #"{"error":{"message":"\#(long)"}}"#)
        #expect(error.message.hasPrefix("up: xxx"))
        #expect(error.message.count < 400)
        #expect(map(429, #"{"error":"flat message"}"#).message == "up: flat message")
        #expect(map(502, "<html>").message == "up: HTTP 502 without an error message")
    }

    @Test func redactsTheKeyFromUpstreamMessages() {
        let error = map(401, #"{"error":{"message":"Incorrect API key provided: sk-secret-123456."}}"#)
        #expect(!error.message.contains("sk-secret-123456"))
        #expect(error.message.contains("[redacted]"))
    }

    @Test func readsRetryAfterInSecondsDatesMillisecondsAndGoogleRetryInfo() {
        #expect(map(429, "", headers: [("Retry-After", "7")]).retryAfter == .seconds(7))
        #expect(
            map(429, "", headers: [("retry-after", "Wed, 21 Oct 2015 07:30:00 GMT")]).retryAfter == .seconds(120))
        #expect(
            map(429, "", headers: [("retry-after-ms", "1500"), ("retry-after", "2")]).retryAfter
                == .milliseconds(1500))
        let google =
            #"{"error":{"code":429,"message":"quota","status":"RESOURCE_EXHAUSTED","details":[{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"37s"}]}}"#
        #expect(map(429, google).retryAfter == .seconds(37))
        #expect(map(429, "").retryAfter == nil)
    }

    @Test func classifiesTransportErrors() {
        #expect(mapper.transportError(HTTPClientError.connectTimeout, phase: .request).code == .timeout)
        #expect(mapper.transportError(HTTPClientError.readTimeout, phase: .body).code == .timeout)
        #expect(mapper.transportError(HTTPClientError.deadlineExceeded, phase: .stream).code == .timeout)
        #expect(mapper.transportError(HTTPClientError.cancelled, phase: .request).code == .cancelled)
        #expect(mapper.transportError(CancellationError(), phase: .stream).code == .cancelled)
        #expect(
            mapper.transportError(HTTPClientError.remoteConnectionClosed, phase: .request).code == .connectionFailed)
        #expect(
            mapper.transportError(HTTPClientError.remoteConnectionClosed, phase: .stream).code == .streamInterrupted)
        #expect(mapper.transportError(HTTPParserError.invalidEOFState, phase: .stream).code == .streamInterrupted)
        #expect(mapper.transportError(HTTPParserError.invalidEOFState, phase: .body).code == .malformedResponse)
        #expect(mapper.transportError(HTTPClientError.connectTimeout, phase: .request).mayHaveBilled == false)
        #expect(mapper.transportError(HTTPClientError.readTimeout, phase: .body).mayHaveBilled)
        #expect(mapper.transportError(HTTPClientError.remoteConnectionClosed, phase: .request).mayHaveBilled)
        #expect(mapper.transportError(HTTPClientError.invalidURL, phase: .request).mayHaveBilled == false)
        let passthrough = ProviderError(.rateLimited, "kept")
        #expect(mapper.transportError(passthrough, phase: .stream) == passthrough)
    }
}
