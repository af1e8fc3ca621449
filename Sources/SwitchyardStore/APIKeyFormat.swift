import Crypto

/// What a Switchyard user API key looks like, and how it is generated and hashed.
///
/// A key is `sy-` followed by 40 characters drawn uniformly from `0-9A-Za-z` (about 238 bits of randomness), for
/// example `sy-3kQ9wTz0bLx7...`. The ledger stores only its first ``prefixLength`` characters (to show people which
/// key is which) and the lowercase hex SHA-256 of the whole key (to find it when it is presented).
public enum APIKeyFormat {
    /// What every key starts with, so that it can be told apart from other bearer tokens (an OpenAI key, a
    /// placeholder an SDK insists on).
    public static let scheme = "sy-"
    /// Random characters after ``scheme``.
    public static let randomLength = 40
    /// Length of a whole key.
    public static let length = scheme.utf8.count + randomLength
    /// Characters of a key that are stored and shown: `sy-` and the next five.
    public static let prefixLength = 8

    static let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".utf8)

    /// `true` when `text` has the shape of a key: ``scheme`` and exactly ``randomLength`` ASCII letters and digits.
    public static func isWellFormed(_ text: some StringProtocol) -> Bool {
        let bytes = text.utf8
        guard bytes.count == length, text.hasPrefix(scheme) else { return false }
        return bytes.dropFirst(scheme.utf8.count).allSatisfy(isAlphanumeric)
    }

    /// `true` when `text` starts like a key (``scheme``), well formed or not: such a bearer token is meant as a
    /// Switchyard key, so a bad one is refused rather than ignored.
    public static func looksLikeKey(_ text: some StringProtocol) -> Bool {
        text.hasPrefix(scheme)
    }

    /// The part of a key that may be shown: its first ``prefixLength`` characters (fewer if it is shorter).
    public static func displayPrefix(of key: some StringProtocol) -> String {
        String(decoding: key.utf8.prefix(prefixLength), as: UTF8.self)
    }

    /// A new key from `generator`, which must be cryptographically secure outside tests.
    static func generate(using generator: inout some RandomNumberGenerator) -> String {
        var bytes = Array(scheme.utf8)
        bytes.reserveCapacity(length)
        for _ in 0..<randomLength {
            // `random(in:using:)` is unbiased (it rejects the draws that would favour some values).
            bytes.append(alphabet[Int.random(in: 0..<alphabet.count, using: &generator)])
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// A new key from the system's secure random source.
    package static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        return generate(using: &generator)
    }

    /// The lowercase hex SHA-256 of the key's UTF-8 bytes: what `api_keys.key_hash` holds.
    package static func hash(_ key: some StringProtocol) -> String {
        let digest = SHA256.hash(data: Array(key.utf8))
        let hexDigits = Array("0123456789abcdef".utf8)
        var hex: [UInt8] = []
        hex.reserveCapacity(SHA256.byteCount * 2)
        for byte in digest {
            hex.append(hexDigits[Int(byte >> 4)])
            hex.append(hexDigits[Int(byte & 0x0f)])
        }
        return String(decoding: hex, as: UTF8.self)
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
            || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
    }
}
