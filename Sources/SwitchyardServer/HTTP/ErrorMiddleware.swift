import Hummingbird
import Logging

/// Turns every error into the service's JSON error shape; nothing leaves as a bare 500 or a stack trace.
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
        } catch let error as HTTPError {
            let code: String =
                switch error.status.code {
                case 404: "not_found"
                case 405: "method_not_allowed"
                case 413: "body_too_large"
                default: "http_\(error.status.code)"
                }
            let message = error.body ?? (error.status.code == 404 ? "no such endpoint: \(request.method) \(request.uri.path)" : error.status.reasonPhrase)
            throw APIError(error.status, type: "invalid_request_error", code: code, message: message)
        } catch {
            logger.error("unhandled error", metadata: ["path": "\(request.uri.path)", "error": "\(error)"])
            throw APIError(
                .internalServerError, type: "internal_error", code: "internal_error",
                message: "an internal error occurred; it has been logged")
        }
    }
}
