/// What ``APIKeyStore/check(key:)`` found for a presented key.
public enum APIKeyCheck: Sendable, Hashable {
    /// A key that exists and is not revoked, of this user.
    case valid(userID: String)
    /// A key that existed and was revoked.
    case revoked
    /// A well-formed key this ledger has never issued.
    case unknown
    /// Not the shape of a key (``APIKeyFormat/isWellFormed(_:)``); the ledger was not consulted.
    case malformed

    /// The user of a valid key, `nil` otherwise.
    public var userID: String? {
        if case .valid(let userID) = self { return userID }
        return nil
    }
}
