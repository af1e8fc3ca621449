import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOHTTP1
import SwitchyardCore
import Testing

@testable import SwitchyardServer

/// Admin endpoints are guarded by the route group they are registered in (``AdminRoutes``), not by each handler:
/// every endpoint the service registers there refuses a request without the key, and anything else is a known
/// public endpoint.
@Suite("Admin routes", .timeLimit(.minutes(1)))
struct AdminRoutesTests {
    /// The endpoints anyone may call. A new endpoint outside ``AdminRoutes`` must be added here on purpose.
    static let publicEndpoints: Set<String> = [
        "POST /v1/chat/completions", "POST /v1/messages", "POST /chat/completions", "GET /v1/models", "GET /providers",
        "GET /healthz",
        "GET /readyz", "GET /metrics", "GET /openapi.json",
        // The dashboard's page and files hold no figures: those come from admin endpoints, with the key.
        "GET /dashboard", "GET /dashboard/dashboard.js", "GET /dashboard/dashboard.css",
    ]

    @Test func everyRegisteredAdminEndpointRefusesWithoutTheKey() async throws {
        let config = try testConfig(simulatedYAML + "\nserver: {admin_key_env: SWITCHYARD_TEST_ADMIN_KEY}\n")
        try await withServer(config, environment: ["SWITCHYARD_TEST_ADMIN_KEY": "s3cret-admin"]) { server in
            let (router, admin) = server.runtime.makeHTTPRoutes()
            let adminNames = Set(admin.map(\.description))
            // At least the endpoints the admin key tests call; each through the real server, without and with a
            // wrong key.
            #expect(adminNames.isSuperset(of: AdminAuthTests.adminRequests.map { "\($0.method) \(Self.template($0.path))" }))
            for endpoint in admin {
                let path = endpoint.path.replacing(/\{[^}\/]+\}/, with: "u1")
                let method = HTTPMethod(rawValue: endpoint.method.rawValue)
                let missing = try await server.send(method, path, body: .init(string: "{}"))
                #expect(missing.status == 401, "\(endpoint)")
                #expect(missing.errorCode == "unauthorized", "\(endpoint)")
                #expect(missing.json?["error"]?["type"]?.string == "authentication_error", "\(endpoint)")
                let wrong = try await server.send(method, path, headers: ["authorization": "Bearer nope"])
                #expect(wrong.status == 401, "\(endpoint)")
            }
            // Every other route is a known public one.
            let others = Set(router.routes.map { "\($0.method) \($0.path)" }).subtracting(adminNames)
            #expect(others == Self.publicEndpoints)
        }
    }

    /// The OpenAPI document marks exactly the endpoints of the admin group as needing the admin key.
    @Test func theOpenAPIDocumentMarksTheAdminEndpoints() async throws {
        try await withServer(try testConfig(simulatedYAML)) { server in
            let document = try #require(JSONValue(parsing: OpenAPIDocument.json))
            var documented: Set<String> = []
            for (path, item) in try #require(document["paths"]?.object) {
                for (method, operation) in item.object ?? [:] {
                    let security = operation["security"]?.array ?? []
                    if security.contains(where: { $0["adminKey"] != nil }) {
                        documented.insert("\(method.uppercased()) \(path)")
                    }
                }
            }
            #expect(Set(server.runtime.makeHTTPRoutes().admin.map(\.description)) == documented)
        }
    }

    /// A route added to the group later is guarded without doing anything: tested on the router, without a socket.
    @Test func aRouteAddedToTheGroupIsGuarded() async throws {
        let router = Hummingbird.Router()
        router.add(middleware: ErrorMiddleware(logger: Logger(label: "test")))
        let admin = AdminRoutes(router, authenticator: AdminAuthenticator(key: "k3y", listensOnLoopback: true))
        admin.get("/new/admin/thing") { _, _ in "secret" }
        router.get("/new/public/thing") { _, _ in "hello" }
        #expect(admin.endpoints.map(\.description) == ["GET /new/admin/thing"])
        let app = Application(router: router)
        try await app.test(.router) { client in
            try await client.execute(uri: "/new/admin/thing", method: .get) { response in
                #expect(response.status == .unauthorized)
                #expect(String(buffer: response.body).contains(#""code":"unauthorized""#))
            }
            try await client.execute(uri: "/new/admin/thing", method: .get, headers: [.authorization: "Bearer k3y"]) {
                #expect($0.status == .ok)
                #expect(String(buffer: $0.body) == "secret")
            }
            try await client.execute(uri: "/new/public/thing", method: .get) { #expect($0.status == .ok) }
        }
    }

    /// `/users/u1/budget` as the router registers it: `/users/{id}/budget`.
    static func template(_ path: String) -> String {
        path.replacingOccurrences(of: "/u1/", with: "/{id}/")
    }
}
