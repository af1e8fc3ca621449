import Foundation
import HTTPTypes
import SwitchyardCore
import SwitchyardStore
import SwitchyardServer
import Testing

@Suite("Admin authentication", .timeLimit(.minutes(1)))
struct AdminAuthTests {
    static let adminRequests: [(method: String, path: String, body: String?)] = [
        ("GET", "/users/u1/budget", nil),
        ("PUT", "/users/u1/budget", #"{"limit_usd": 2}"#),
        ("POST", "/simulate/failure", #"{"provider": "sim", "down": false}"#),
        ("GET", "/reports/costs", nil),
        ("GET", "/reports/reliability", nil),
        ("GET", "/reports/breakers", nil),
        ("GET", "/reports/requests", nil),
        // It scans the whole ledger: not for anonymous clients.
        ("GET", "/routing/analytics", nil),
    ]

    static func send(_ server: TestServer, _ request: (method: String, path: String, body: String?), key: String?)
        async throws -> TestResponse
    {
        let headers = key.map { ["authorization": "Bearer \($0)"] } ?? [:]
        switch request.method {
        case "GET": return try await server.get(request.path, headers: headers)
        case "PUT": return try await server.put(request.path, request.body ?? "", headers: headers)
        default: return try await server.post(request.path, request.body ?? "", headers: headers)
        }
    }

    @Test func configuredKeyIsRequired() async throws {
        let config = try testConfig(simulatedYAML + "\nserver: {admin_key_env: SWITCHYARD_TEST_ADMIN_KEY}\n")
        try await withServer(config, environment: ["SWITCHYARD_TEST_ADMIN_KEY": "s3cret-admin"]) { server in
            for request in Self.adminRequests {
                let missing = try await Self.send(server, request, key: nil)
                #expect(missing.status == 401, "\(request.path)")
                #expect(missing.errorCode == "unauthorized")
                #expect(missing.json?["error"]?["type"]?.string == "authentication_error")
                let wrong = try await Self.send(server, request, key: "s3cret-admiN")
                #expect(wrong.status == 401, "\(request.path)")
                #expect(wrong.body.contains("s3cret") == false)
                let right = try await Self.send(server, request, key: "s3cret-admin")
                #expect(right.status == 200, "\(request.path): \(right.body)")
            }
            let basic = try await server.get("/users/u1/budget", headers: ["authorization": "Basic s3cret-admin"])
            #expect(basic.status == 401)
            // Client endpoints never need the admin key.
            #expect(try await server.post("/v1/chat/completions", chatBody()).status == 200)
            #expect(try await server.get("/providers").status == 200)
        }
    }

    @Test func withoutAKeyLoopbackIsAllowed() async throws {
        try await withServer(try testConfig(simulatedYAML)) { server in
            for request in Self.adminRequests {
                let response = try await Self.send(server, request, key: nil)
                #expect(response.status == 200, "\(request.path)")
            }
        }
    }

    @Test func withoutAKeyOnEveryInterfaceAdminIsRefused() async throws {
        var config = try testConfig(simulatedYAML)
        config.server.host = "0.0.0.0"
        try await withServer(config) { server in
            for request in Self.adminRequests {
                let response = try await Self.send(server, request, key: "anything")
                #expect(response.status == 401, "\(request.path)")
                #expect(response.errorMessage?.contains("admin_key_env") == true)
            }
        }
    }

    @Test func missingAdminKeyVariableStopsTheStart() async throws {
        let config = try testConfig(simulatedYAML + "\nserver: {admin_key_env: SWITCHYARD_TEST_ADMIN_KEY}\n")
        await #expect(throws: ConfigError.self) {
            try await withServer(config, environment: [:]) { _ in }
        }
    }
}
