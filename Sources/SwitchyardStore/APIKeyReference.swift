import GRDB
/// Which key to act on (``APIKeyStore/revokeKey(_:)``): by id, by its shown prefix, or by the whole key.
public enum APIKeyReference: Sendable, Hashable, CustomStringConvertible {
    /// `api_keys.id`, as `switchyard keys list` shows it.
    case id(Int64)
    /// The key's first ``APIKeyFormat/prefixLength`` characters, e.g. `sy-3kQ9w`.
    case prefix(String)
    /// The whole key, e.g. one found where it should not be. Matched by its hash.
    case key(String)

    /// Reads what a person typed: digits are an id, a well-formed whole key is a key, anything else a prefix.
    public init(parsing text: String) {
        if !text.isEmpty, text.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }),
            let id = Int64(text), id > 0
        {
            self = .id(id)
        } else if APIKeyFormat.isWellFormed(text) {
            self = .key(text)
        } else {
            self = .prefix(text)
        }
    }

    /// For messages: never the whole key, only its prefix.
    public var description: String {
        switch self {
        case .id(let id): "key \(id)"
        case .prefix(let prefix): "key '\(APIKeyFormat.displayPrefix(of: prefix))'"
        case .key(let key): "key '\(APIKeyFormat.displayPrefix(of: key))…'"
        }
    }
}

extension APIKeyReference {
    /// The `api_keys` column and value that find the key.
    var column: (String, any DatabaseValueConvertible & Sendable) {
        switch self {
        case .id(let id): ("id", id)
        case .prefix(let prefix): ("key_prefix", prefix)
        case .key(let key): ("key_hash", APIKeyFormat.hash(key))
        }
    }
}
