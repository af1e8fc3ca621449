import HTTPTypes
import Hummingbird
import Synchronization

/// The admin endpoints: a route group whose middleware (``AdminAuthenticator``) refuses requests without the admin
/// key before any handler runs. Controllers register admin endpoints here, never on the router itself.
///
/// It remembers what was registered, so tests can call every admin endpoint without the key.
///
/// ```swift
/// let admin = AdminRoutes(router, authenticator: AdminAuthenticator(key: key, listensOnLoopback: true))
/// admin.get("/reports/costs") { request, _ in ... }   // 401 without the key
/// ```
struct AdminRoutes: RouterMethods {
    typealias Context = BasicRequestContext

    /// One registered endpoint.
    struct Endpoint: Hashable, Sendable, CustomStringConvertible {
        var method: HTTPRequest.Method
        /// As registered: parameters as `:name`.
        var path: String

        var description: String { "\(method) \(path)" }
    }

    private let group: RouterGroup<Context>
    private let registered: Registry

    init(_ router: some RouterMethods<Context>, authenticator: AdminAuthenticator) {
        group = router.group().add(middleware: authenticator)
        registered = Registry()
    }

    /// Every endpoint added so far, in order.
    var endpoints: [Endpoint] { registered.endpoints.withLock { $0 } }

    @discardableResult func on<Responder: HTTPResponder>(
        _ path: RouterPath,
        method: HTTPRequest.Method,
        responder: Responder
    ) -> Self where Responder.Context == Context {
        registered.endpoints.withLock { $0.append(Endpoint(method: method, path: path.description)) }
        group.on(path, method: method, responder: responder)
        return self
    }

    /// Adds middleware after the admin check, for the endpoints added after this call.
    @discardableResult func add(middleware: any MiddlewareProtocol<Request, Response, Context>) -> Self {
        group.add(middleware: middleware)
        return self
    }

    private final class Registry: Sendable {
        let endpoints = Mutex<[Endpoint]>([])
    }
}
