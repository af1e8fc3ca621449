import Hummingbird

/// Guards admin endpoints: `Authorization: Bearer <admin key>` when a key is configured; without one, admin
/// endpoints work only while the server listens on a loopback address.
///
/// It is the middleware of ``AdminRoutes``: routes added there are checked before their handler runs, so an admin
/// endpoint cannot forget to check.
struct AdminAuthenticator: RouterMiddleware {
    typealias Context = BasicRequestContext

    let key: String?
    let listensOnLoopback: Bool

    func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        try check(request)
        return try await next(request, context)
    }

    /// - Throws: ``APIError`` 401 `unauthorized` unless `request` may use admin endpoints.
    func check(_ request: Request) throws {
        guard let key else {
            guard listensOnLoopback else {
                throw APIError.unauthorized(
                    "admin endpoints are disabled: the server listens on a non-loopback address and no admin key is "
                        + "configured (set server.admin_key_env)")
            }
            return
        }
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer ") else {
            throw APIError.unauthorized("this endpoint needs the admin key: 'Authorization: Bearer <key>'")
        }
        guard Self.constantTimeEquals(Array(header.utf8.dropFirst(7)), Array(key.utf8)) else {
            throw APIError.unauthorized("wrong admin key")
        }
    }

    /// Compares without returning early, so timing does not reveal how much of the key matched.
    static func constantTimeEquals(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        var difference = UInt8(lhs.count == rhs.count ? 0 : 1)
        for index in 0..<max(lhs.count, rhs.count) {
            let a = index < lhs.count ? lhs[index] : 0
            let b = index < rhs.count ? rhs[index] : 0
            difference |= a ^ b
        }
        return difference == 0
    }
}
