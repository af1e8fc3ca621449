package import SwitchyardCore
package import SwitchyardSettings

extension AnthropicProvider {
    /// Settings of the Anthropic Messages API backend.
    public struct Configuration: HTTPProviderConfiguration, CustomStringConvertible {
        /// The API root without `/v1`. Default `https://api.anthropic.com`.
        public var baseURL: String
        /// Sent as `x-api-key`.
        public var apiKey: APIKey?
        /// The `anthropic-version` header. Default `2023-06-01`.
        public var apiVersion: String
        /// `max_tokens` when a request sets none (Anthropic requires it). Default 4096.
        public var defaultMaxTokens: Int
        public var timeouts: ProviderTimeouts
        /// More headers for every request (for example `anthropic-beta`). Their values are never logged.
        public var extraHeaders: [String: String]
        /// The largest non-streaming response accepted. Default 16 MiB.
        public var maxResponseBytes: Int
        /// The most bytes one streamed response may send in all (server-sent events with their framing). A stream
        /// that sends more fails with `malformed_response`, so an upstream that ignores `max_tokens` cannot run
        /// forever. Default 64 MiB.
        public var maxStreamBytes: Int

        public init(
            baseURL: String = Self.defaultBaseURL,
            apiKey: APIKey? = nil,
            apiVersion: String = "2023-06-01",
            defaultMaxTokens: Int = 4096,
            timeouts: ProviderTimeouts = ProviderTimeouts(),
            extraHeaders: [String: String] = [:],
            maxResponseBytes: Int = 16 << 20,
            maxStreamBytes: Int = 64 << 20
        ) {
            self.baseURL = baseURL
            self.apiKey = apiKey
            self.apiVersion = apiVersion
            self.defaultMaxTokens = defaultMaxTokens
            self.timeouts = timeouts
            self.extraHeaders = extraHeaders
            self.maxResponseBytes = maxResponseBytes
            self.maxStreamBytes = maxStreamBytes
        }

        /// The public API, used when `base_url` is not set.
        public static let defaultBaseURL = "https://api.anthropic.com"

        /// Every setting at its default.
        public init() {
            self.init(baseURL: Self.defaultBaseURL)
        }

        public var description: String {
            "AnthropicProvider.Configuration(baseURL: \(baseURL), apiKey: \(apiKey == nil ? "none" : "****"), "
                + "apiVersion: \(apiVersion), defaultMaxTokens: \(defaultMaxTokens), timeouts: \(timeouts))"
        }
    }
}

extension ProviderKind {
    /// The Anthropic Messages API.
    public static let anthropic = ProviderKind(rawValue: "anthropic")
}

extension AnthropicProvider: ConfigurableHTTPProvider {
    public static var kind: ProviderKind { .anthropic }

    package static var configurationKeys: [SettingKey<Configuration>] {
        [
            .string("api_version", \.apiVersion, "The `anthropic-version` header.", "an API version"),
            .int("default_max_tokens", \.defaultMaxTokens,
                "`max_tokens` of a request that sets none (Anthropic requires one).", in: 1...Int(Int32.max),
                "a number of tokens"),
        ]
    }

    /// Anthropic's published prompt-caching prices, the same multiples of the input price for every model: a cache
    /// read is 0.1 ×, a 5-minute cache write 1.25 ×, a 1-hour cache write 2 ×.
    package static func completePrices(_ prices: inout TokenPrices) {
        let input = prices.inputPerMillionTokens
        if prices.cachedInputPerMillionTokens == nil { prices.cachedInputPerMillionTokens = input.scaled(by: 1, over: 10) }
        if prices.cacheWritePerMillionTokens == nil { prices.cacheWritePerMillionTokens = input.scaled(by: 5, over: 4) }
        if prices.cacheWrite1hPerMillionTokens == nil { prices.cacheWrite1hPerMillionTokens = input.scaled(by: 2, over: 1) }
    }
}
