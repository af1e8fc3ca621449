import Hummingbird
import NIOCore
import SwitchyardCore
import SwitchyardStore

/// `GET /healthz` (alive), `GET /readyz` (ledger writable and a provider available), `GET /metrics`,
/// `GET /openapi.json`.
struct HealthController: Sendable {
    let router: SwitchyardCore.Router<ContinuousClock>
    let ledger: LedgerEventSink
    let metrics: SwitchyardMetrics

    func register(on routes: some RouterMethods<BasicRequestContext>) {
        routes.get("/healthz") { _, _ in try Response.json(["status": "ok"]) }
        routes.get("/readyz") { _, _ in try await ready() }
        routes.get("/metrics") { _, _ in
            // The gauges are read from the router and the ledger writer now, then everything is rendered.
            let text = metrics.render(SwitchyardMetrics.Sample(router: router, ledger: ledger))
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
        }
        routes.get("/openapi.json") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: OpenAPIDocument.json)))
        }
    }

    func ready() async throws -> Response {
        var problems: [String] = []
        let health = ledger.health
        if !health.isAvailable {
            let why =
                health.lastError.map { "\($0.message)" }
                ?? "its backlog holds \(health.pendingEvents) of at most \(health.maxPendingEvents) events"
            problems.append("the ledger cannot record requests now (it retries by itself): \(why)")
        }
        if !router.providerSnapshots().contains(where: { !$0.isDown }) {
            problems.append("no provider is available")
        }
        if problems.isEmpty { return try .json(["status": "ready"]) }
        return try .json(["status": "not_ready", "problems": problems.joined(separator: "; ")], status: .serviceUnavailable)
    }
}
