/// Checks that `api_key_env` and `admin_key_env` hold the *name* of an environment variable, never a key.
///
/// Values that look like a secret are rejected without being repeated in the error, so a key pasted into the
/// config by mistake does not end up in logs.
package enum EnvironmentVariableName {
    /// Prefixes of well-known API key formats (OpenAI and Anthropic `sk-`, Groq `gsk_`, Google `AIza`, xAI `xai-`).
    package static let keyPrefixes = ["sk-", "sk_", "gsk_", "AIza", "xai-", "key-", "pk-", "Bearer "]

    /// The longest name accepted; anything longer is taken for a key.
    package static let maximumLength = 100

    package static func read(_ value: ConfigValue) throws -> String {
        guard let text = value.text else {
            throw value.expected("the name of an environment variable, such as OPENAI_API_KEY")
        }
        if looksLikeSecret(text) {
            throw value.error(
                .invalidValue,
                "expected the name of an environment variable, got what looks like a key itself (not shown); "
                    + "put the key in an environment variable and write its name here, e.g. OPENAI_API_KEY")
        }
        guard isValidName(text) else {
            throw value.error(
                .invalidValue,
                "expected the name of an environment variable (letters, digits and '_', not starting with a "
                    + "digit), such as OPENAI_API_KEY")
        }
        return text
    }

    package static func isValidName(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, !("0"..."9").contains(first) else { return false }
        return text.unicodeScalars.allSatisfy { scalar in
            scalar == "_" || ("A"..."Z").contains(scalar) || ("a"..."z").contains(scalar)
                || ("0"..."9").contains(scalar)
        }
    }

    /// Long, a known key prefix, or a long run of mixed-case letters and digits without the `_` names have.
    package static func looksLikeSecret(_ text: String) -> Bool {
        if text.count > maximumLength || keyPrefixes.contains(where: text.hasPrefix) { return true }
        let scalars = text.unicodeScalars
        let hasLower = scalars.contains { ("a"..."z").contains($0) }
        let hasUpper = scalars.contains { ("A"..."Z").contains($0) }
        let hasDigit = scalars.contains { ("0"..."9").contains($0) }
        return text.count >= 32 && !text.contains("_") && hasLower && hasUpper && hasDigit
    }
}
