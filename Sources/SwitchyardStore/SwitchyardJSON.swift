public import class Foundation.JSONEncoder

/// How Switchyard writes JSON for the people and programs that read it: every HTTP body and the reports of
/// `switchyard report ... --format json`. Keys are sorted, so the same value always gives the same text, and
/// slashes are not escaped.
///
/// ```swift
/// let data = try SwitchyardJSON.encoder.encode(report)
/// ```
public enum SwitchyardJSON {
    /// The shared encoder (compact). Never change its settings: make another with ``makeEncoder(userInfo:)``.
    public static let encoder = makeEncoder()

    /// A new encoder with the shared formatting and `userInfo` (for example ``CodingUserInfoKey/reportAudience``).
    public static func makeEncoder(userInfo: [CodingUserInfoKey: any Sendable] = [:]) -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.userInfo = userInfo
        return encoder
    }
}
