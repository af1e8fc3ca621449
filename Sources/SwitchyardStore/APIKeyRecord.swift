public import struct Foundation.Date

/// One row of `api_keys` as people may see it: never the key, never its hash.
public struct APIKeyRecord: Sendable, Hashable, Codable {
    /// `api_keys.id`, in creation order.
    public var id: Int64
    /// The key's first ``APIKeyFormat/prefixLength`` characters, e.g. `sy-3kQ9w`; unique among keys.
    public var prefix: String
    /// The user that requests with this key are made as.
    public var userID: String
    /// What the key is for, if its creator said.
    public var name: String?
    /// A user key, or a service key that may name end users.
    public var kind: APIKeyKind
    /// The team whose budget the key's requests also count against, if any.
    public var team: String?
    public var createdAt: Date
    /// When it was revoked; `nil` while it works.
    public var revokedAt: Date?
    /// Its last accepted use, recorded at most about once a minute (so it may lag by that much); `nil` if never used.
    public var lastUsedAt: Date?

    /// `true` once the key has been revoked: it no longer authenticates anyone.
    public var isRevoked: Bool { revokedAt != nil }

    public init(
        id: Int64, prefix: String, userID: String, name: String?, createdAt: Date, revokedAt: Date? = nil,
        lastUsedAt: Date? = nil, kind: APIKeyKind = .user, team: String? = nil
    ) {
        self.kind = kind
        self.team = team
        self.id = id
        self.prefix = prefix
        self.userID = userID
        self.name = name
        self.createdAt = createdAt
        self.revokedAt = revokedAt
        self.lastUsedAt = lastUsedAt
    }
}

/// A key just created: the only time its plaintext exists. Show ``key`` to its owner once; it cannot be recovered.
///
/// Its `description` and reflection leave the key out, so logging or dumping the value does not leak it.
public struct CreatedAPIKey: Sendable, Hashable, CustomStringConvertible, CustomReflectable {
    /// The whole key, `sy-` and 40 letters and digits. Not stored anywhere.
    public var key: String
    /// What the ledger stored.
    public var record: APIKeyRecord

    public init(key: String, record: APIKeyRecord) {
        self.key = key
        self.record = record
    }

    public var description: String {
        "CreatedAPIKey(id: \(record.id), prefix: \(record.prefix), user: \(record.userID), key: <redacted>)"
    }

    public var customMirror: Mirror {
        Mirror(self, children: ["key": "<redacted>", "record": record])
    }
}
