import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// `GET /dashboard`: the operators' dashboard, a page of plain HTML, CSS and JavaScript embedded in the binary
/// (`Sources/SwitchyardServer/Dashboard/`) that draws its charts from the admin report API in the browser.
///
/// The page itself holds no data, so it is served without the admin key; every figure on it comes from admin
/// endpoints, which the page calls with the key the operator types into it (kept in the page's memory only). The
/// page is told whether a key is needed (`<meta name="switchyard-admin">`: `key`, `open` on a loopback address
/// without a key, or `disabled`), so it asks for one before its first call rather than after a refusal.
struct DashboardController: Sendable {
    /// Whether and how admin endpoints take requests, as the page is told.
    enum AdminAccess: String, Sendable {
        case key, open, disabled
    }

    let access: AdminAccess

    init(authenticator: AdminAuthenticator) {
        access =
            authenticator.key != nil ? .key : authenticator.listensOnLoopback ? .open : .disabled
    }

    func register(on routes: some RouterMethods<BasicRequestContext>) {
        let page = Self.page(access: access)
        routes.get("/dashboard") { _, _ in Self.response(page, type: "text/html; charset=utf-8") }
        routes.get("/dashboard/dashboard.css") { _, _ in
            Self.response(PackageResources.dashboard_css, type: "text/css; charset=utf-8")
        }
        routes.get("/dashboard/dashboard.js") { _, _ in
            Self.response(PackageResources.dashboard_js, type: "text/javascript; charset=utf-8")
        }
    }

    /// The page with the admin access filled in where it says `{{admin}}`.
    static func page(access: AdminAccess) -> [UInt8] {
        Array(String(decoding: PackageResources.dashboard_html, as: UTF8.self)
            .replacingOccurrences(of: "{{admin}}", with: access.rawValue).utf8)
    }

    /// The page's own files only, never framed, never cached (a new binary's page replaces the old at once).
    static func response(_ bytes: [UInt8], type: String) -> Response {
        var headers: HTTPFields = [
            .contentType: type, .cacheControl: "no-store",
            .contentSecurityPolicy:
                "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; "
                + "base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
        ]
        headers[HTTPField.Name("x-content-type-options")!] = "nosniff"
        headers[HTTPField.Name("referrer-policy")!] = "no-referrer"
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
