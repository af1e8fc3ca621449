package import SwitchyardSettings

extension GeminiProvider {
    /// Settings of the Google Gemini API backend.
    public struct Configuration: HTTPProviderConfiguration, CustomStringConvertible {
        /// The API root. Default `https://generativelanguage.googleapis.com`.
        public var baseURL: String
        /// The API version path segment. Default `v1beta` (function calling with JSON Schema needs it).
        public var apiVersion: String
        /// Sent as the `x-goog-api-key` header, never in the URL, so it cannot land in access logs.
        public var apiKey: APIKey?
        public var timeouts: ProviderTimeouts
        /// More headers for every request. Their values are never logged.
        public var extraHeaders: [String: String]
        /// The largest non-streaming response accepted. Default 16 MiB.
        public var maxResponseBytes: Int
        /// The most bytes one streamed response may send in all (server-sent events with their framing). A stream
        /// that sends more fails with `malformed_response`, so an upstream that ignores `max_tokens` cannot run
        /// forever. Default 64 MiB.
        public var maxStreamBytes: Int

        public init(
            baseURL: String = Self.defaultBaseURL,
            apiVersion: String = "v1beta",
            apiKey: APIKey? = nil,
            timeouts: ProviderTimeouts = ProviderTimeouts(),
            extraHeaders: [String: String] = [:],
            maxResponseBytes: Int = 16 << 20,
            maxStreamBytes: Int = 64 << 20
        ) {
            self.baseURL = baseURL
            self.apiVersion = apiVersion
            self.apiKey = apiKey
            self.timeouts = timeouts
            self.extraHeaders = extraHeaders
            self.maxResponseBytes = maxResponseBytes
            self.maxStreamBytes = maxStreamBytes
        }

        /// The public API, used when `base_url` is not set.
        public static let defaultBaseURL = "https://generativelanguage.googleapis.com"

        /// Every setting at its default.
        public init() {
            self.init(baseURL: Self.defaultBaseURL)
        }

        public var description: String {
            "GeminiProvider.Configuration(baseURL: \(baseURL), apiVersion: \(apiVersion), "
                + "apiKey: \(apiKey == nil ? "none" : "****"), timeouts: \(timeouts))"
        }
    }
}

extension ProviderKind {
    /// The Google Gemini API (`generateContent`).
    public static let gemini = ProviderKind(rawValue: "gemini")
}

extension GeminiProvider: ConfigurableHTTPProvider {
    public static var kind: ProviderKind { .gemini }

    package static var configurationKeys: [SettingKey<Configuration>] {
        [.string("api_version", \.apiVersion, "The API version path segment.", "an API version")]
    }
}
