/// Whom a request is billed to: its user, and its API key and the key's team when it came with a key.
public struct BudgetSubject: Sendable, Hashable {
    /// The end user: the key's user, or for a service key the user the request names.
    public var userID: String
    /// `api_keys.id` of the key the request presented, as a decimal string; `nil` without a key.
    public var keyID: String?
    /// The team of that key, if it belongs to one.
    public var team: String?

    public init(userID: String, keyID: String? = nil, team: String? = nil) {
        self.userID = userID
        self.keyID = keyID
        self.team = team
    }

    /// Every scope the request falls under, with that scope's id: the user first, then the key, then the team.
    public var scopes: [(scope: BudgetScope, id: String)] {
        var scopes: [(BudgetScope, String)] = [(.user, userID)]
        if let keyID { scopes.append((.key, keyID)) }
        if let team { scopes.append((.team, team)) }
        return scopes
    }
}
