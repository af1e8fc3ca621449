import NIOHTTP1
public import SwitchyardCore

/// A backend speaking OpenAI's chat-completions API: OpenAI, or a local LM Studio, Ollama, vLLM or llama.cpp server.
///
/// Calls `POST {baseURL}/chat/completions` (streams over server-sent events with `stream_options.includeUsage`,
/// so streamed answers are costed from real usage), and probes with `GET {baseURL}/models`.
///
/// ```swift
/// let lmstudio = OpenAICompatibleProvider(
///     name: "lmstudio",
///     configuration: .init(baseURL: "http://localhost:1234/v1"),
///     httpClient: client)
/// let reply = try await lmstudio.chat(ChatRequest(model: "qwen2.5-7b", messages: [.user("hi")]), options: .init())
/// ```
public struct OpenAICompatibleProvider: HTTPProvider {
    public let endpoint: HTTPEndpoint<Configuration>

    public init(endpoint: HTTPEndpoint<Configuration>) {
        self.endpoint = endpoint
    }

    public func chat(_ request: ChatRequest, options: ProviderCallOptions) async throws -> ChatResponse {
        let call = try makeCall(request, stream: false)
        let body = try await transport.fetch(call, options: options)
        let completion = try JSONCoding.decode(OpenAIChatCompletion.self, from: body, mapper: transport.mapper)
        return try completion.chatResponse(for: request, mapper: transport.mapper)
    }

    public func streamChat(
        _ request: ChatRequest,
        options: ProviderCallOptions
    ) async throws -> AsyncThrowingStream<ChatStreamChunk, any Error> {
        let call = try makeCall(request, stream: true)
        let decoder = OpenAIStreamDecoder(request: request, mapper: transport.mapper)
        return try await transport.stream(call, options: options, decoder: decoder)
    }

    /// `GET {baseURL}/models`: `true` when it answers 2xx; otherwise throws the classified error.
    public func probe(options: ProviderCallOptions) async throws -> Bool {
        let call = HTTPTransport.Call(method: .GET, url: url("models"), headers: headers(accept: "application/json"))
        _ = try await transport.fetch(call, options: options)
        return true
    }

    private func makeCall(_ request: ChatRequest, stream: Bool) throws -> HTTPTransport.Call {
        let body = OpenAIChatBody(
            request: request, stream: stream, includeUsage: configuration.includeStreamUsage,
            maxTokensField: configuration.maxTokensField)
        var headers = headers(accept: stream ? "text/event-stream" : "application/json")
        headers.add(name: "content-type", value: "application/json")
        return HTTPTransport.Call(
            method: .POST, url: url("chat/completions"), headers: headers, body: try JSONCoding.encode(body))
    }

    private func url(_ path: String) -> String {
        configuration.baseURL.trimmingTrailingSlashes() + "/" + path
    }

    private func headers(accept: String) -> HTTPHeaders {
        var headers = HTTPHeaders()
        headers.add(name: "accept", value: accept)
        headers.add(name: "user-agent", value: "switchyard")
        if let key = configuration.apiKey { headers.add(name: "authorization", value: "Bearer \(key.value)") }
        for (name, value) in configuration.extraHeaders { headers.replaceOrAdd(name: name, value: value) }
        return headers
    }
}

extension String {
    func trimmingTrailingSlashes() -> String {
        var text = Substring(self)
        while text.hasSuffix("/") { text.removeLast() }
        return String(text)
    }
}
