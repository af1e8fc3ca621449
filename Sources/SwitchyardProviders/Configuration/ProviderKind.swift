/// The wire protocol a provider speaks, as written in the config file's `kind`.
///
/// Each kind is declared in its own folder (`OpenAI/`, `Anthropic/`, `Gemini/`, `Simulated/`) and registered once in
/// ``ProviderKinds``.
public struct ProviderKind: RawRepresentable, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    /// The `kind:` value (`openai`).
    public let rawValue: String

    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    /// Every registered kind, in the order the config reference lists them.
    public static var allCases: [ProviderKind] { ProviderKinds.all.map { $0.kind } }

    public var description: String { rawValue }
}
