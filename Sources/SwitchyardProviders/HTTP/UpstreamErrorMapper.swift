import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import SwitchyardCore

/// Turns every way an upstream call can fail into one ``ProviderError``, the same way for every provider kind.
///
/// | Failure | Code |
/// |---|---|
/// | connection refused, DNS, TLS, reset before the response | `connection_failed` |
/// | connect, response-head, idle or the provider's total time-out | `timeout` |
/// | the request's own deadline (``SwitchyardCore/ProviderCallOptions/timeout``) | `request_deadline` |
/// | HTTP 402, Anthropic `billing_error`, OpenAI `insufficient_quota`, Google 400 `FAILED_PRECONDITION`, "credit balance is too low" | `account_unavailable` |
/// | HTTP 429 (with `Retry-After` seconds, date, `retry-after-ms` or Google `RetryInfo`) | `rate_limited` |
/// | HTTP 5xx (Anthropic's 529 included) | `server_error` |
/// | HTTP 401/403, Google `API_KEY_INVALID` | `authentication` |
/// | HTTP 404, 405, 3xx (a wrong `base_url` or model) | `not_found` |
/// | a 4xx saying the prompt does not fit the context window, HTTP 413 | `context_length_exceeded` |
/// | other 4xx | `bad_request` |
/// | a 2xx body that is not the API's JSON, is cut, or is larger than its bound | `malformed_response` |
/// | a stream cut before its end marker, or an error event in it | `stream_interrupted` |
///
/// ``SwitchyardCore/ProviderError/mayHaveBilled`` is set from where the call was when it failed: `false` when
/// nothing reached the provider (refused, DNS, TLS, connect time-out, invalid URL) and for error statuses; `true`
/// once the request may have been sent (the connection broke or timed out afterwards, a 2xx answer could not be
/// read). AsyncHTTPClient does not say whether the request was written, so this is a best effort that errs towards
/// `true`: it never hides a call the provider may bill.
struct UpstreamErrorMapper: Sendable {
    /// Where the call was when it failed.
    enum Phase: Sendable {
        /// Before the response head arrived.
        case request
        /// Reading a complete (non-streaming) body.
        case body
        /// Reading a stream.
        case stream
    }

    var providerName: String
    /// Values (API keys) never to repeat from an upstream message.
    var secrets: [String]
    /// The wall clock, for `Retry-After` dates.
    var now: @Sendable () -> Date = { Date() }

    /// Classifies an HTTP error status with its headers and (the start of) its body.
    func httpError(status: Int, headers: HTTPHeaders, body: some Collection<UInt8>) -> ProviderError {
        let detail = UpstreamErrorBody(parsing: body)
        let retryAfter = retryAfter(headers: headers) ?? detail?.retryDelay
        let upstream = detail?.message.map { redact(truncate($0)) }
        let message = "\(providerName): " + (upstream ?? "HTTP \(status) without an error message")
        if (300..<400).contains(status) {
            let location = headers.first(name: "location").map { " to \($0)" } ?? ""
            return ProviderError(
                .notFound, "\(providerName): unexpected redirect\(location); check base_url", httpStatus: status)
        }
        if status == 405 {
            return ProviderError(.notFound, message + " (method not allowed; check base_url)", httpStatus: status)
        }
        if Self.isAccountError(status: status, detail) {
            // Not a rate limit: no cool-down from Retry-After, and no retry on the same target.
            return ProviderError(
                .accountUnavailable, message + " (the provider account cannot serve requests: check its billing)",
                httpStatus: status)
        }
        if (400..<500).contains(status), let detail, Self.isContextLengthError(detail) {
            return ProviderError(.contextLengthExceeded, message, httpStatus: status)
        }
        if status == 400, let detail, Self.isInvalidKeyError(detail) {
            return ProviderError(.authentication, message, httpStatus: status)
        }
        return ProviderError.http(status: status, message: message, retryAfter: retryAfter)
    }

    /// Classifies a failure that is not an HTTP status: transport errors, time-outs, cancellation.
    func transportError(_ error: any Error, phase: Phase) -> ProviderError {
        if let error = error as? ProviderError { return error }
        if error is CancellationError { return ProviderError(.cancelled, "\(providerName): the call was cancelled") }
        let interrupted = phase == .stream
        let describe = redact(truncate(String(describing: error)))
        if let error = error as? HTTPClientError {
            if error == .cancelled {
                return ProviderError(.cancelled, "\(providerName): the call was cancelled")
            }
            let connectTimeouts: [HTTPClientError] = [
                .connectTimeout, .tlsHandshakeTimeout, .socksHandshakeTimeout, .httpProxyHandshakeTimeout,
                .getConnectionFromPoolTimeout,
            ]
            if connectTimeouts.contains(error) {
                return ProviderError(
                    .timeout, "\(providerName): could not connect within connect_ms (\(describe))",
                    mayHaveBilled: false)
            }
            if error == .readTimeout || error == .deadlineExceeded {
                return ProviderError(.timeout, "\(providerName): no answer in time (\(describe))")
            }
            if error == .remoteConnectionClosed, phase == .request {
                return ProviderError(
                    .connectionFailed, "\(providerName): the server closed the connection before answering",
                    mayHaveBilled: true)
            }
            if [.invalidURL, .emptyHost, .emptyScheme].contains(error) {
                return ProviderError(.connectionFailed, "\(providerName): invalid base_url (\(describe))")
            }
        }
        if let error = error as? ChannelError, case .connectTimeout = error {
            return ProviderError(
                .timeout, "\(providerName): could not connect within connect_ms", mayHaveBilled: false)
        }
        if phase == .request, Self.sentNothing(error) {
            return ProviderError(
                .connectionFailed, "\(providerName): could not reach the server (\(describe))", mayHaveBilled: false)
        }
        if error is NIOConnectionError || error is IOError || error is NIOSSLError {
            let code: ProviderError.Code = interrupted ? .streamInterrupted : .connectionFailed
            return ProviderError(
                code, "\(providerName): the connection broke (\(describe))", mayHaveBilled: true)
        }
        if error is HTTPParserError {
            let code: ProviderError.Code = interrupted ? .streamInterrupted : .malformedResponse
            return ProviderError(
                code, "\(providerName): the response was cut or is not valid HTTP (\(describe))", mayHaveBilled: true)
        }
        if interrupted {
            return ProviderError(.streamInterrupted, "\(providerName): the stream broke off (\(describe))")
        }
        return ProviderError(
            .connectionFailed, "\(providerName): the connection failed (\(describe))", mayHaveBilled: true)
    }

    /// Errors raised before any byte of the request could reach the provider: no connection was made.
    static func sentNothing(_ error: any Error) -> Bool {
        if error is NIOConnectionError { return true }  // refused, unreachable, DNS (every address failed)
        if let error = error as? IOError {
            return [ECONNREFUSED, ENETUNREACH, EHOSTUNREACH, EADDRNOTAVAIL].contains(error.errnoCode)
        }
        if let error = error as? NIOSSLError, case .handshakeFailed = error { return true }
        return false
    }

    /// A 2xx body that is not what the API promises.
    func malformed(_ what: String) -> ProviderError {
        ProviderError(.malformedResponse, "\(providerName): \(redact(truncate(what)))")
    }

    /// An error reported inside a stream, or a stream that ended early.
    func interrupted(_ what: String) -> ProviderError {
        ProviderError(.streamInterrupted, "\(providerName): \(redact(truncate(what)))")
    }

    /// The wait the headers ask for: `retry-after-ms` (OpenAI), then `Retry-After` in seconds or as a date.
    func retryAfter(headers: HTTPHeaders) -> Duration? {
        if let wait = headers.first(name: "retry-after-ms").flatMap(RetryAfter.parseMilliseconds) { return wait }
        return headers.first(name: "retry-after").flatMap { RetryAfter.parse($0, now: now()) }
    }

    /// Removes every secret from upstream text (some servers echo the key they rejected).
    func redact(_ text: String) -> String {
        secrets.reduce(text) { text, secret in
            secret.count < 4 ? text : text.replacingOccurrences(of: secret, with: "[redacted]")
        }
    }

    private func truncate(_ text: String, to limit: Int = 300) -> String {
        text.count <= limit ? text : String(text.prefix(limit)) + "…"
    }

    /// The provider cannot serve anyone on this account, whatever the request: no credit or quota, or a billing or
    /// region precondition. HTTP 402 from any server (Anthropic, OpenRouter-style proxies); Anthropic's
    /// `billing_error` and its HTTP 400 "credit balance is too low" / "reached your specified API usage limits";
    /// OpenAI's `insufficient_quota` (an HTTP 429 that is not a rate limit); Google's HTTP 400 `FAILED_PRECONDITION`
    /// ("User location is not supported", "enable billing").
    static func isAccountError(status: Int, _ detail: UpstreamErrorBody?) -> Bool {
        if status == 402 { return true }
        guard (400..<500).contains(status), let detail else { return false }
        let kinds = ["billing_error", "insufficient_quota"]
        if let type = detail.type?.lowercased(), kinds.contains(type) { return true }
        if let code = detail.code?.lowercased(), kinds.contains(code) { return true }
        if status == 400, detail.type == "FAILED_PRECONDITION" { return true }
        guard status == 400, let message = detail.message?.lowercased() else { return false }
        let phrases = [
            "credit balance is too low", "reached your specified api usage limits",
            "reached your specified workspace api usage limits",
        ]
        return phrases.contains { message.contains($0) }
    }

    /// The phrases and codes OpenAI, compatible local servers (vLLM, llama.cpp, LM Studio), Anthropic and Gemini use
    /// when the prompt does not fit.
    static func isContextLengthError(_ detail: UpstreamErrorBody) -> Bool {
        let codes = ["context_length_exceeded", "exceed_context_size_error", "context_window_exceeded"]
        if let code = detail.code?.lowercased(), codes.contains(code) { return true }
        if let type = detail.type?.lowercased(), codes.contains(type) { return true }
        guard let message = detail.message?.lowercased() else { return false }
        let phrases = [
            "context length", "context window", "context limit", "context size", "prompt is too long",
            "input token count", "exceeds the context", "too many tokens in the prompt",
        ]
        return phrases.contains { message.contains($0) }
    }

    /// Google answers a bad API key with HTTP 400 and reason `API_KEY_INVALID`.
    static func isInvalidKeyError(_ detail: UpstreamErrorBody) -> Bool {
        detail.reasons.contains("API_KEY_INVALID") || detail.message?.contains("API key not valid") == true
    }
}
