import SwitchyardServer
import Testing

/// The `keys:` section.
@Suite struct ConfigKeysTests {
    static let providers = "providers: [{name: p, kind: simulated, models: [m]}]\n"

    @Test func keysAreOptionalByDefault() throws {
        #expect(KeySettings().required == false)
        #expect(try SwitchyardConfig(yaml: Self.providers).keys == KeySettings())
        #expect(try SwitchyardConfig(yaml: "keys:\n" + Self.providers).keys == KeySettings())
        #expect(try SwitchyardConfig(yaml: "keys: {required: null}\n" + Self.providers).keys == KeySettings())
        #expect(SwitchyardConfig.demo.keys.required == false)
    }

    @Test(arguments: [("true", true), ("false", false), ("True", true), ("FALSE", false)])
    func requiredIsRead(text: String, expected: Bool) throws {
        let config = try SwitchyardConfig(yaml: "keys: {required: \(text)}\n" + Self.providers)
        #expect(config.keys == KeySettings(required: expected))
    }

    static let errorCases: [ConfigErrorCase] = [
        .init(
            "unknown keys key", "keys: {requird: true}\n" + providers, path: "keys", .unknownKey,
            "unknown key 'requird' (did you mean 'required'?) (expected one of: required)"),
        .init(
            "a key in the section", "keys: {alice: sy-abc}\n" + providers, path: "keys", .unknownKey,
            "unknown key 'alice'"),
        .init(
            "required not a bool", "keys: {required: yes}\n" + providers, path: "keys.required", .wrongType,
            "expected true or false, got \"yes\""),
        .init(
            "keys as a bool", "keys: true\n" + providers, path: "keys", .wrongType,
            "expected a mapping with keys required, got \"true\""),
        .init(
            "keys as a list", "keys: [sy-abc]\n" + providers, path: "keys", .wrongType,
            "expected a mapping with keys required, got a list"),
    ]

    @Test(arguments: errorCases)
    func badKeysSectionsAreRejectedWithThePath(_ example: ConfigErrorCase) {
        example.check()
    }

    @Test(arguments: [false, true])
    func effectiveYAMLShowsTheSectionAndReadsBack(required: Bool) throws {
        var config = try SwitchyardConfig(yaml: Self.providers)
        config.keys.required = required
        let yaml = config.effectiveYAML()
        #expect(yaml.contains("keys:\n  required: \(required)\n"), "\(yaml)")
        #expect(try SwitchyardConfig(yaml: yaml) == config)
    }
}
