public import SwitchyardCore
package import SwitchyardSettings

extension ProviderKind {
    /// Switchyard's built-in simulated backend, no network.
    public static let simulated = ProviderKind(rawValue: "simulated")
}

extension SimulatedProvider.Configuration: ConfigurableProviderKind {
    public static var kind: ProviderKind { .simulated }

    package init(defaults: ProviderDefaults) {
        self.init()
    }

    package var expectedLatency: Duration? { latency }

    public func makeProvider(name: String, context: ProviderBuildContext) throws -> any LLMProvider {
        SimulatedProvider(name: name, configuration: self)
    }

    package static var settings: SettingsSection<Self> {
        SettingsSection([
            .section("simulated", \.self, "How the simulated backend behaves.", behaviour)
        ])
    }

    private static var behaviour: SettingsSection<Self> {
        SettingsSection([
            .milliseconds("latency_ms", \.latency, "Time to answer a call."),
            .double("failure_rate", \.failureRate, "Share of calls, 0...1, that fail with a simulated HTTP 503.",
                in: 0...1, "a failure share"),
            .double("escalation_rate", \.escalationRate, "Share of calls, 0...1, answered with the escalation marker.",
                in: 0...1, "an escalation share"),
            .string("escalation_marker", \.escalationMarker, "The marker written when escalating.", "a marker text"),
            .value("seed", \.seed, "Seed of the random source that decides failures and escalations.",
                read: { value in
                    guard let text = value.text, let seed = UInt64(text) else {
                        throw value.expected("a whole number of at least 0")
                    }
                    return seed
                },
                write: YAMLTree.int),
            .bool("down", \.isDown, "Starts down: every call fails as a connection error."),
        ])
    }
}
