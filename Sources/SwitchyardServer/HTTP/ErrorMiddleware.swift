import HTTPTypes
import Hummingbird
import Logging

/// Turns every error into the service's JSON error shape; nothing leaves as a bare 500 or a stack trace.
///
/// Errors Hummingbird or NIO raise with a status of their own (no such route, body too large) keep that status and
/// get a stable `code`; anything else is logged and answered with a generic 500.
struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    let logger: Logger

    func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            throw error
        } catch let error as any HTTPResponseError {
            throw Self.apiError(status: error.status, body: (error as? HTTPError)?.body, request: request)
        } catch {
            logger.error("unhandled error", metadata: ["path": "\(request.uri.path)", "error": "\(error)"])
            throw APIError(
                .internalServerError, type: "internal_error", code: "internal_error",
                message: "an internal error occurred; it has been logged")
        }
    }

    static func apiError(status: HTTPResponse.Status, body: String?, request: Request) -> APIError {
        let code: String =
            switch status.code {
            case 404: "not_found"
            case 405: "method_not_allowed"
            case 413: "body_too_large"
            default: "http_\(status.code)"
            }
        let message =
            body
            ?? (status.code == 404 ? "no such endpoint: \(request.method) \(request.uri.path)" : status.reasonPhrase)
        let type = status.code >= 500 ? "server_error" : "invalid_request_error"
        return APIError(status, type: type, code: code, message: message)
    }
}
