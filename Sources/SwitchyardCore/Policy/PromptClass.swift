/// What kind of work a prompt asks for, as decided by ``PromptClassifier``.
public enum PromptClass: String, Sendable, Hashable, Codable, CaseIterable {
    case code
    case writing
    case analysis
    case general
}

/// What a request cares about most when several providers could answer it.
public enum RoutingPriority: String, Sendable, Hashable, Codable, CaseIterable {
    /// Cheapest estimated cost first.
    case cost
    /// Lowest observed latency first.
    case speed
    /// Highest configured quality score first.
    case quality
}
