import Foundation
import Hummingbird
import SwitchyardProviders
import SwitchyardStore

extension SwitchyardRuntime {
    /// Every HTTP endpoint of the service.
    func makeHTTPRouter() -> Hummingbird.Router<BasicRequestContext> {
        makeHTTPRoutes().router
    }

    /// The router, and which of its endpoints are admin endpoints (those registered through ``AdminRoutes``, which
    /// refuse requests without the admin key).
    func makeHTTPRoutes() -> (router: Hummingbird.Router<BasicRequestContext>, admin: [AdminRoutes.Endpoint]) {
        let routes = Hummingbird.Router()
        routes.add(middleware: ErrorMiddleware(logger: logger))
        let authenticator = AdminAuthenticator(key: adminKey, listensOnLoopback: listensOnLoopback)
        let admin = AdminRoutes(routes, authenticator: authenticator)
        let bodyLimit = config.server.maxBodyBytes
        ChatController(
            router: router,
            users: UserAuthenticator(keys: store.keys(logger: logger), required: config.keys.required),
            models: ModelList(config, created: Int(Date().timeIntervalSince1970)), bodyLimit: bodyLimit, sseHeartbeat: sseHeartbeat,
            streamStallTimeout: config.server.streamStallTimeout
        ).register(on: routes)
        ProvidersController(
            router: router, kinds: config.providers.map { ($0.name, $0.kind.rawValue) }, bodyLimit: bodyLimit,
            instanceID: instanceID
        ).register(on: routes, admin: admin)
        AnalyticsController(store: store, router: router).register(on: admin)
        BudgetsController(budgets: budgets, alerts: store.alerts, bodyLimit: bodyLimit).register(on: admin)
        ReportsController(store: store, prices: config.priceTable).register(on: admin)
        HealthController(router: router, ledger: ledger, metrics: metrics).register(on: routes)
        DashboardController(authenticator: authenticator).register(on: routes)
        return (routes, admin.endpoints)
    }
}
