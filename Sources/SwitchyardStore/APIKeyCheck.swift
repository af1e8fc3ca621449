/// What ``APIKeyStore/check(key:)`` found for a presented key.
public enum APIKeyCheck: Sendable, Hashable {
    /// A key that exists and is not revoked.
    case valid(APIKeyIdentity)
    /// A key that existed and was revoked.
    case revoked
    /// A well-formed key this ledger has never issued.
    case unknown
    /// Not the shape of a key (``APIKeyFormat/isWellFormed(_:)``); the ledger was not consulted.
    case malformed

    /// Who a valid key is, `nil` otherwise.
    public var identity: APIKeyIdentity? {
        if case .valid(let identity) = self { return identity }
        return nil
    }

    /// The user of a valid key, `nil` otherwise.
    public var userID: String? { identity?.userID }
}

/// What a working key says about the requests that present it.
public struct APIKeyIdentity: Sendable, Hashable {
    /// `api_keys.id`.
    public var keyID: Int64
    /// The key's user: whom requests are made as (for a service key, when the request names no user).
    public var userID: String
    public var kind: APIKeyKind
    /// The key's team, if any.
    public var team: String?

    public init(keyID: Int64, userID: String, kind: APIKeyKind = .user, team: String? = nil) {
        self.keyID = keyID
        self.userID = userID
        self.kind = kind
        self.team = team
    }
}

/// What a key may do (`api_keys.kind`).
public enum APIKeyKind: String, Sendable, Hashable, Codable, CaseIterable {
    /// A person's or a program's own key: requests are made as its user, and may not name another.
    case user
    /// An application backend's key: requests may name their end user in `user`, each with a budget of their own;
    /// the key's own budget caps them all.
    case service
}
