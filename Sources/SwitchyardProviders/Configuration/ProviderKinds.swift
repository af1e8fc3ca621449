import SwitchyardCore
import SwitchyardSettings

/// The provider kinds the configuration knows: one line per kind.
///
/// To add a kind: a folder beside `OpenAI/` with the provider, its options type (conforming to
/// ``ProviderKindOptions``, usually ``HTTPProviderOptions`` of the provider) declaring its keys, and one line here.
/// Its keys then appear in `switchyard config check` and in the reference of `docs/configuration.md`.
package enum ProviderKinds {
    package static let all: [any ConfigurableProviderKind.Type] = [
        HTTPProviderOptions<OpenAICompatibleProvider>.self,
        HTTPProviderOptions<AnthropicProvider>.self,
        HTTPProviderOptions<GeminiProvider>.self,
        SimulatedProvider.Configuration.self,
    ]

    /// What the configuration reader needs to know of each kind, in registration order.
    package static var descriptions: [Description] { all.map { describe($0) } }

    /// A kind's name, key names and family.
    package struct Description {
        package var kind: ProviderKind
        package var keyNames: [String]
        package var family: String?
    }

    private static func describe<Options: ConfigurableProviderKind>(_ type: Options.Type) -> Description {
        Description(kind: Options.kind, keyNames: Options.settings.names, family: Options.family)
    }

    /// The options type of `kind`.
    package static func options(for kind: ProviderKind) -> (any ConfigurableProviderKind.Type)? {
        all.first { $0.kind == kind }
    }
}
