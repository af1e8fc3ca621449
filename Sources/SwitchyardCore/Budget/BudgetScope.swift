/// What a budget limits: the end user a request is made for, the API key it came with, or the key's team.
///
/// A request falls under its user's scope always, and under its key's and the key's team's when it presents a key.
/// It must fit the limits of every scope it falls under (see ``BudgetStore/reserve(_:requestID:amount:)``).
public enum BudgetScope: String, Sendable, Hashable, Codable, CaseIterable {
    /// The `user` of the request (or the user of its key).
    case user
    /// The API key, by `api_keys.id` (as a decimal string).
    case key
    /// The team the key belongs to.
    case team
}
