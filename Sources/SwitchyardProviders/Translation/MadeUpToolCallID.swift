/// The id Switchyard gives a tool call that its upstream sent without one (Gemini often does; so do some
/// OpenAI-compatible servers).
///
/// A made-up id is `call_sy_` and 24 random letters and digits (about 143 bits), so no two answers share one: a
/// conversation that carries calls from many answers stays valid for a provider that checks ids (Anthropic refuses
/// a request whose `tool_use` ids repeat). It fits every kind's rules (Anthropic's `^[a-zA-Z0-9_-]+$`, OpenAI's 40
/// characters).
///
/// The prefix tells Switchyard's ids from upstream ones (OpenAI's are `call_` and letters and digits, Anthropic's
/// `toolu_…`): a made-up id is never sent to Gemini as the `id` of a `functionCall` or `functionResponse`, since
/// Gemini did not give it.
enum MadeUpToolCallID {
    static let prefix = "call_sy_"
    private static let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")

    /// A new id, from the system's random source.
    static func make() -> String {
        var generator = SystemRandomNumberGenerator()
        var id = prefix
        for _ in 0..<24 { id.append(alphabet[Int.random(in: 0..<alphabet.count, using: &generator)]) }
        return id
    }

    /// Whether `id` is one Switchyard made up.
    static func isMadeUp(_ id: String) -> Bool { id.hasPrefix(prefix) }
}
