import Foundation
import HTTPTypes
import Hummingbird
import SwitchyardCore
import SwitchyardStore
@testable import SwitchyardServer
import Testing

@Suite("Health, readiness, metrics, OpenAPI", .timeLimit(.minutes(1)))
struct HealthTests {
    @Test func healthzAndReadyz() async throws {
        let config = try testConfig(
            """
            providers:
            \(Configs.simulated("one"))
            \(Configs.simulated("two"))
            """)
        try await withServer(config) { server in
            let health = try await server.get("/healthz")
            #expect(health.status == 200)
            #expect(health.json?["status"]?.string == "ok")
            #expect(try await server.get("/readyz").status == 200)

            #expect(try await server.post("/simulate/failure", #"{"provider": "one", "down": true}"#).status == 200)
            #expect(try await server.get("/readyz").status == 200)
            #expect(try await server.post("/simulate/failure", #"{"provider": "two", "down": true}"#).status == 200)
            let notReady = try await server.get("/readyz")
            #expect(notReady.status == 503)
            #expect(notReady.json?["status"]?.string == "not_ready")
            #expect(notReady.body.contains("no provider is available"))

            #expect(try await server.post("/simulate/failure", #"{"provider": "two", "down": false}"#).status == 200)
            #expect(try await server.get("/readyz").status == 200)
        }
    }

    @Test func metricsCountRequestsAndAttempts() async throws {
        try await withFakeUpstream({ _ in OpenAIReply.error(.serviceUnavailable) }) { upstream in
            try await withServer(try Configs.primaryWithBackup(upstream)) { server in
                for _ in 0..<2 { _ = try await server.post("/v1/chat/completions", chatBody()) }
                _ = try await server.post("/v1/chat/completions", chatBody(model: "nope"))
                let metrics = try await server.get("/metrics")
                #expect(metrics.status == 200)
                #expect(metrics[header: "content-type"]?.hasPrefix("text/plain") == true)
                let lines = metrics.body.split(separator: "\n").map(String.init)
                func value(_ name: String, _ labels: [String]) -> Double? {
                    lines.first { line in
                        line.hasPrefix(name + "{") && labels.allSatisfy { line.contains($0) }
                    }.flatMap { $0.split(separator: " ").last }.flatMap { Double($0) }
                }
                #expect(value("switchyard_requests_total", [#"status="success""#]) == 2)
                #expect(value("switchyard_requests_total", [#"status="bad_request""#]) == 1)
                #expect(value("switchyard_attempts_total", [#"provider="primary""#, #"outcome="error""#]) == 2)
                #expect(value("switchyard_attempts_total", [#"provider="backup""#, #"outcome="success""#]) == 2)
                #expect(metrics.body.contains("switchyard_request_duration_seconds_bucket"))
                #expect(metrics.body.contains("switchyard_spend_usd_micros_total"))
            }
        }
    }

    @Test func openAPIMatchesTheRepositoryAndListsEveryRoute() async throws {
        try await withServer(try testConfig(simulatedYAML)) { server in
            let served = try await server.get("/openapi.json")
            #expect(served.status == 200)
            let document = try #require(served.json)
            let file = try String(contentsOfFile: ConfigFixtures.repositoryFile("docs/openapi.json"), encoding: .utf8)
            #expect(JSONValue(parsing: file) == document)

            let paths = try #require(document["paths"]?.object)
            for route in server.runtime.makeHTTPRouter().routes {
                let path = route.path.description.split(separator: "/").map { part in
                    part.hasPrefix(":") ? "{\(part.dropFirst())}" : String(part)
                }.joined(separator: "/")
                let operation = paths["/" + path]?[route.method.rawValue.lowercased()]
                #expect(operation != nil, "\(route.method) \(route.path) is not in docs/openapi.json")
                #expect(operation?["responses"] != nil)
            }
            let documented = paths.values.reduce(0) { count, item in
                count + (item.object?.keys.filter { ["get", "post", "put", "delete"].contains($0) }.count ?? 0)
            }
            #expect(documented == server.runtime.makeHTTPRouter().routes.count, "documented operations that do not exist")
        }
    }
}
