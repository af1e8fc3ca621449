import NIOHTTP1
public import SwitchyardCore

/// A backend speaking Anthropic's Messages API (`POST {baseURL}/v1/messages`).
///
/// Requests and answers are translated from and to Switchyard's OpenAI-shaped types: the system prompt is lifted
/// out of the messages, tools map to `tool_use` / `tool_result` blocks, stop reasons map to finish reasons
/// (`end_turn` → `stop`, `max_tokens` → `length`, `tool_use` → `tool_calls`). `max_tokens` is required by the API,
/// so a request without one gets ``Configuration/defaultMaxTokens``. The probe is `GET {baseURL}/v1/models`.
///
/// `temperature` is clamped to Anthropic's 0…1 (OpenAI's and Gemini's go to 2; Anthropic answers 400 above 1, which
/// would stop a failover to it), and `top_p` to 0…1.
///
/// ```swift
/// let claude = AnthropicProvider(
///     name: "anthropic",
///     configuration: .init(apiKey: try APIKey.fromEnvironment(named: "ANTHROPIC_API_KEY")),
///     httpClient: client)
/// ```
public struct AnthropicProvider: HTTPProvider {
    public let endpoint: HTTPEndpoint<Configuration>

    public init(endpoint: HTTPEndpoint<Configuration>) {
        self.endpoint = endpoint
    }

    public func chat(_ request: ChatRequest, options: ProviderCallOptions) async throws -> ChatResponse {
        let call = try makeCall(request, stream: false)
        let body = try await transport.fetch(call, options: options)
        let message = try JSONCoding.decode(AnthropicMessageResponse.self, from: body, mapper: transport.mapper)
        return message.chatResponse(for: request)
    }

    public func streamChat(
        _ request: ChatRequest,
        options: ProviderCallOptions
    ) async throws -> AsyncThrowingStream<ChatStreamChunk, any Error> {
        let call = try makeCall(request, stream: true)
        let decoder = AnthropicStreamDecoder(request: request, mapper: transport.mapper)
        return try await transport.stream(call, options: options, decoder: decoder)
    }

    /// `GET {baseURL}/v1/models?limit=1`: `true` when it answers 2xx; otherwise throws the classified error.
    public func probe(options: ProviderCallOptions) async throws -> Bool {
        let call = HTTPTransport.Call(
            method: .GET, url: url("v1/models?limit=1"), headers: headers(accept: "application/json"))
        _ = try await transport.fetch(call, options: options)
        return true
    }

    private func makeCall(_ request: ChatRequest, stream: Bool) throws -> HTTPTransport.Call {
        let body = try AnthropicMessagesBody(
            request: request, defaultMaxTokens: configuration.defaultMaxTokens, stream: stream,
            mapper: transport.mapper)
        var headers = headers(accept: stream ? "text/event-stream" : "application/json")
        headers.add(name: "content-type", value: "application/json")
        return HTTPTransport.Call(
            method: .POST, url: url("v1/messages"), headers: headers, body: try JSONCoding.encode(body))
    }

    private func url(_ path: String) -> String {
        configuration.baseURL.trimmingTrailingSlashes() + "/" + path
    }

    private func headers(accept: String) -> HTTPHeaders {
        var headers = HTTPHeaders()
        headers.add(name: "accept", value: accept)
        headers.add(name: "user-agent", value: "switchyard")
        headers.add(name: "anthropic-version", value: configuration.apiVersion)
        if let key = configuration.apiKey { headers.add(name: "x-api-key", value: key.value) }
        for (name, value) in configuration.extraHeaders { headers.replaceOrAdd(name: name, value: value) }
        return headers
    }
}
