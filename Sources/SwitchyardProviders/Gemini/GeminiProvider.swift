import NIOHTTP1
public import SwitchyardCore

/// A backend speaking the Google Gemini API: `POST {baseURL}/{apiVersion}/models/{model}:generateContent`, and
/// `:streamGenerateContent?alt=sse` for streams.
///
/// Messages map to `contents` with `user` / `model` roles, the system prompt to `systemInstruction`, tools to
/// `functionDeclarations`, tool calls and results to `functionCall` / `functionResponse` parts, and
/// `usageMetadata` to usage (thinking tokens count as output). The key travels in the `x-goog-api-key` header,
/// never in the URL. The probe is `GET {baseURL}/{apiVersion}/models`.
///
/// A call Gemini sends without an id gets one Switchyard makes up, unique across answers (`call_sy_…`); a call id
/// goes back to Gemini as the `id` of its `functionCall` and `functionResponse` parts, except a made-up one.
///
/// ```swift
/// let gemini = GeminiProvider(
///     name: "gemini",
///     configuration: .init(apiKey: try APIKey.fromEnvironment(named: "GEMINI_API_KEY")),
///     httpClient: client)
/// ```
public struct GeminiProvider: HTTPProvider {
    public let endpoint: HTTPEndpoint<Configuration>

    public init(endpoint: HTTPEndpoint<Configuration>) {
        self.endpoint = endpoint
    }

    public func chat(_ request: ChatRequest, options: ProviderCallOptions) async throws -> ChatResponse {
        let call = try makeCall(request, method: "generateContent", accept: "application/json")
        let body = try await transport.fetch(call, options: options)
        let response = try JSONCoding.decode(GeminiResponse.self, from: body, mapper: transport.mapper)
        return try response.chatResponse(for: request, mapper: transport.mapper)
    }

    public func streamChat(
        _ request: ChatRequest,
        options: ProviderCallOptions
    ) async throws -> AsyncThrowingStream<ChatStreamChunk, any Error> {
        let call = try makeCall(request, method: "streamGenerateContent?alt=sse", accept: "text/event-stream")
        let decoder = GeminiStreamDecoder(request: request, mapper: transport.mapper)
        return try await transport.stream(call, options: options, decoder: decoder)
    }

    /// `GET {baseURL}/{apiVersion}/models?pageSize=1`: `true` when it answers 2xx; otherwise throws the classified
    /// error.
    public func probe(options: ProviderCallOptions) async throws -> Bool {
        let call = HTTPTransport.Call(
            method: .GET, url: root() + "/models?pageSize=1", headers: headers(accept: "application/json"))
        _ = try await transport.fetch(call, options: options)
        return true
    }

    private func makeCall(_ request: ChatRequest, method: String, accept: String) throws -> HTTPTransport.Call {
        let body = try GeminiGenerateBody(request: request, mapper: transport.mapper)
        var headers = headers(accept: accept)
        headers.add(name: "content-type", value: "application/json")
        let url = root() + "/models/" + Self.pathSegment(request.model) + ":" + method
        return HTTPTransport.Call(method: .POST, url: url, headers: headers, body: try JSONCoding.encode(body))
    }

    private func root() -> String {
        configuration.baseURL.trimmingTrailingSlashes() + "/" + configuration.apiVersion
    }

    /// The model as one URL path segment: a leading `models/` is dropped, unsafe characters are escaped.
    static func pathSegment(_ model: String) -> String {
        let name = model.hasPrefix("models/") ? String(model.dropFirst("models/".count)) : model
        var segment = ""
        for byte in name.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                segment.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = String(byte, radix: 16, uppercase: true)
                segment += "%" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        return segment
    }

    private func headers(accept: String) -> HTTPHeaders {
        var headers = HTTPHeaders()
        headers.add(name: "accept", value: accept)
        headers.add(name: "user-agent", value: "switchyard")
        if let key = configuration.apiKey { headers.add(name: "x-goog-api-key", value: key.value) }
        for (name, value) in configuration.extraHeaders { headers.replaceOrAdd(name: name, value: value) }
        return headers
    }
}
