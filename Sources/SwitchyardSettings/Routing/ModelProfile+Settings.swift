package import SwitchyardCore
import Yams

extension ModelProfile {
    /// One entry of a provider's `models:`.
    package static var settings: SettingsSection<ModelProfile> {
        SettingsSection([
            SettingKey.value("name", \.name, "The model's name as the provider knows it.", read: readName,
                write: YAMLTree.string
            ).required("the model's name as the provider knows it"),
            .value("input_usd_per_mtok", \.pricing.inputPerMillionTokens, "Dollars per million prompt tokens.",
                read: { try $0.dollars() }, write: YAMLTree.dollars),
            .value("output_usd_per_mtok", \.pricing.outputPerMillionTokens, "Dollars per million completion tokens.",
                read: { try $0.dollars() }, write: YAMLTree.dollars),
            .int("max_output_tokens", \.maxOutputTokens,
                "Completion tokens a request may ask for; the budget reserves for this many when it sets none.",
                in: 1...Int(Int32.max), "a number of tokens"),
        ])
    }

    /// `models:`. An entry is a mapping or just a model name (free, with the default output limit). That there is at
    /// least one and that names are unique is checked by `RouterTopology`.
    package static func readList(_ value: ConfigValue) throws -> [ModelProfile] {
        try value.list(of: "models").map { item in
            if item.text != nil { return ModelProfile(name: try readName(item)) }
            var model = ModelProfile(name: "")
            try settings.read(item, into: &model)
            return model
        }
    }

    /// The reference rows of a model entry.
    package static func reference(prefix: String) -> [SettingReference] {
        settings.reference(ModelProfile(name: ""), prefix: prefix)
    }

    private static func readName(_ value: ConfigValue) throws -> String {
        let name = try value.string("a model name")
        guard !name.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.value < 0x20 }) else {
            throw value.expected("a model name without spaces", code: .invalidValue)
        }
        return name
    }
}
