import Foundation
import SwitchyardServer

/// YAML for the usual test set-up: OpenAI-compatible providers pointed at fake upstreams, and a simulated backup.
enum Configs {
    /// An `openai` provider named `name` serving `gpt-test` ($1/$2 per MTok) at `upstream`, without retries.
    static func openAI(_ name: String, _ upstream: FakeUpstream, extra: String = "") -> String {
        """
          - {name: \(name), kind: openai, base_url: "\(upstream.baseURL)", retry: {max_attempts: 1}, \
        models: [{name: gpt-test, input_usd_per_mtok: 1.00, output_usd_per_mtok: 2.00}]\(extra)}
        """
    }

    /// A simulated provider named `name` serving `sim-1` ($1/$2 per MTok), answering at once.
    static func simulated(_ name: String = "backup", extra: String = "") -> String {
        """
          - {name: \(name), kind: simulated, retry: {max_attempts: 1}, \
        models: [{name: sim-1, input_usd_per_mtok: 1.00, output_usd_per_mtok: 2.00}], simulated: {latency_ms: 0\(extra)}}
        """
    }

    /// `primary` at `upstream`, failing over to the simulated `backup`, in route `default`.
    static func primaryWithBackup(_ upstream: FakeUpstream, top: String = "") throws -> SwitchyardConfig {
        try testConfig(
            """
            \(top)
            providers:
            \(openAI("primary", upstream))
            \(simulated("backup"))
            routes:
              - name: default
                tiers:
                  - {name: first, targets: [primary/gpt-test]}
                  - {name: second, targets: [backup/sim-1]}
            """)
    }

    /// The simulated `backup` in route `default`, with a default limit ($0.000001) that no request fits: every
    /// request that reaches admission is refused with 402.
    static func tinyBudget() throws -> SwitchyardConfig {
        try testConfig(
            """
            budgets: {default_limit_usd: 0.000001}
            providers:
            \(simulated("backup"))
            routes:
              - {name: default, tiers: [{targets: [backup/sim-1]}]}
            """)
    }

    /// `primary` at `upstream` alone.
    static func primaryOnly(_ upstream: FakeUpstream, top: String = "") throws -> SwitchyardConfig {
        try testConfig(
            """
            \(top)
            providers:
            \(openAI("primary", upstream))
            """)
    }
}

/// A chat request body for `/v1/chat/completions`; `extra` is spliced in as more top-level fields.
func chatBody(model: String = "default", _ prompt: String = "Say hello", extra: String = "") -> String {
    #"{"model": "\#(model)", "messages": [{"role": "user", "content": "\#(prompt)"}]\#(extra.isEmpty ? "" : ", " + extra)}"#
}
