/// A point on the router's monotonic timeline: time since the router was created, on its injected clock.
///
/// The router's state machines all run on this one concrete type, whatever clock drives it, so their code is
/// specialised at compile time instead of looking generic metadata up on every request.
struct RouterInstant: InstantProtocol, Sendable, Hashable, Comparable {
    var offset: Duration
    init(offset: Duration) { self.offset = offset }
    func advanced(by duration: Duration) -> RouterInstant { RouterInstant(offset: offset + duration) }
    func duration(to other: RouterInstant) -> Duration { other.offset - offset }
    static func < (lhs: RouterInstant, rhs: RouterInstant) -> Bool { lhs.offset < rhs.offset }
}
