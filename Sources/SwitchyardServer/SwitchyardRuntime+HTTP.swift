import Hummingbird
import SwitchyardStore

extension SwitchyardRuntime {
    /// Every HTTP endpoint of the service.
    func makeHTTPRouter() -> Hummingbird.Router<BasicRequestContext> {
        let routes = Hummingbird.Router()
        routes.add(middleware: ErrorMiddleware(logger: logger))
        let admin = AdminAuthenticator(key: adminKey, listensOnLoopback: listensOnLoopback)
        let users = UserAuthenticator(
            keys: APIKeyStore(database: database, logger: logger), required: config.keys.required)
        ChatController(runtime: self, users: users).register(on: routes)
        OperationsController(runtime: self, admin: admin).register(on: routes)
        ReportsController(runtime: self, admin: admin).register(on: routes)
        HealthController(runtime: self).register(on: routes)
        return routes
    }
}
