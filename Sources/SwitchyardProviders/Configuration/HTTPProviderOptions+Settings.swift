import Foundation
package import SwitchyardCore
import Yams
package import SwitchyardSettings

/// An HTTP provider whose configuration has keys of its own besides the shared ones.
package protocol ConfigurableHTTPProvider: HTTPProvider {
    /// The kind's own keys, after the shared `base_url`, `api_key_env`, `timeout`, `extra_headers`,
    /// `max_response_bytes` and `max_stream_bytes`.
    static var configurationKeys: [SettingKey<Configuration>] { get }
    /// See ``ConfigurableProviderKind/completePrices(_:)``.
    static func completePrices(_ prices: inout TokenPrices)
}

extension ConfigurableHTTPProvider {
    package static func completePrices(_ prices: inout TokenPrices) {}
}

extension HTTPProviderOptions: ConfigurableProviderKind where Provider: ConfigurableHTTPProvider {
    package static var family: String? { "HTTP providers" }

    package static func completePrices(_ prices: inout TokenPrices) { Provider.completePrices(&prices) }

    package init(defaults: ProviderDefaults) {
        self.init()
        configuration.timeouts = defaults.httpTimeouts
    }

    package static var settings: SettingsSection<Self> {
        typealias Key = SettingKey<Provider.Configuration>
        let configuration = \Self.configuration
        return SettingsSection(
            [
                Key.value("base_url", \.baseURL, "The API's root URL (default: the kind's public API).",
                    read: readBaseURL, write: { YAMLTree.string(YAMLTree.maskedURL($0)) }
                ).lifted(configuration),
                .optional("api_key_env", \.apiKeyEnv,
                    "Name of the environment variable holding the API key (never the key itself).",
                    read: EnvironmentVariableName.read, write: YAMLTree.string),
                Key.section("timeout", \.timeouts, "Overrides `defaults.timeout`, key by key.", ProviderTimeouts.settings)
                    .lifted(configuration),
                Key.value("extra_headers", \.extraHeaders,
                    "Headers sent with every request (such as `OpenAI-Organization`); keys go in `api_key_env`.",
                    read: readHeaders,
                    write: { headers in
                        YAMLTree.mapping(headers.sorted { $0.key < $1.key }.map { ($0.key, YAMLTree.string($0.value)) })
                    }
                ).lifted(configuration),
                Key.int("max_response_bytes", \.maxResponseBytes, "The largest answer accepted (not streamed).",
                    in: 1024...Int(Int32.max), "a number of bytes"
                ).lifted(configuration),
                Key.int("max_stream_bytes", \.maxStreamBytes,
                    "The most a streamed answer may send in all; more fails the call as `malformed_response`.",
                    in: 1024...Int.max, "a number of bytes"
                ).lifted(configuration),
            ] + Provider.configurationKeys.map { $0.lifted(configuration) })
    }

    private static func readBaseURL(_ value: ConfigValue) throws -> String {
        try value.httpURL(example: "https://api.openai.com/v1")
    }

    /// Header names of letters, digits, `-` and `_`, with values on one line; the headers that carry keys are refused.
    private static func readHeaders(_ value: ConfigValue) throws -> [String: String] {
        guard !value.isNull else { return [:] }
        guard case .mapping(let mapping) = value.node else { throw value.expected("a mapping of header names to values") }
        var headers: [String: String] = [:]
        for (keyNode, valueNode) in mapping {
            let name = try ConfigValue(keyNode, path: value.path).string("a header name")
            let entry = value.at(name)
            guard name.unicodeScalars.allSatisfy(isHeaderNameCharacter) else {
                throw entry.expected("a header name made of letters, digits, '-' and '_'", code: .invalidValue)
            }
            guard !credentialHeaders.contains(name.lowercased()) else {
                throw entry.error(.invalidValue, "'\(name)' carries the API key; name its variable in api_key_env instead")
            }
            let text = try ConfigValue(valueNode, path: entry.path).string("a header value", allowEmpty: true)
            guard !text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
                throw entry.expected("a header value on one line, without control characters", code: .invalidValue)
            }
            headers[name] = text
        }
        return headers
    }

    private static func isHeaderNameCharacter(_ scalar: Unicode.Scalar) -> Bool {
        scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == "-" || scalar == "_")
    }
}

/// Headers that carry credentials (Azure OpenAI's `api-key` among them), refused in `extra_headers`: a key never sits
/// in the file.
private let credentialHeaders: Set<String> = [
    "authorization", "proxy-authorization", "x-api-key", "x-goog-api-key", "api-key", "cookie",
]
