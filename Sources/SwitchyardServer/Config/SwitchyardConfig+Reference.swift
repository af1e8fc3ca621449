import SwitchyardProviders
import SwitchyardSettings

extension SwitchyardConfig {
    /// Every configuration key with its default and meaning, as the Markdown tables of `docs/configuration.md`'s
    /// reference (`switchyard config keys` prints them). Made from the same declarations that read and write the file.
    public static func referenceMarkdown() -> String {
        let defaults = SwitchyardConfig()
        let rows = settings.reference(defaults)
        let kinds = ProviderSettings.reference(prefix: "providers[].", defaults: defaults.defaults).kinds
        var text = "### Every key\n\n" + rows.markdownTable()
        for (kind, rows) in kinds {
            text += "\n### Keys of a provider of kind `\(kind)`\n\n" + rows.markdownTable()
        }
        return text
    }
}
