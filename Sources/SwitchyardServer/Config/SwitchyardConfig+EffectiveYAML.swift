import SwitchyardSettings
import Yams

extension SwitchyardConfig {
    /// The configuration in effect, with every default written out, as YAML that ``init(yaml:)`` reads back to an
    /// equal value (what `switchyard config check` prints).
    ///
    /// The configuration never holds a secret's value, only the names of the environment variables that do
    /// (`api_key_env`, `admin_key_env`), and those names are shown. Credentials embedded in a `base_url` (user
    /// info, query parameters such as `?key=`) are replaced by `***`.
    public func effectiveYAML() -> String {
        (try? Yams.serialize(node: Self.settings.node(self), indent: 2, width: -1, allowUnicode: true)) ?? ""
    }
}
