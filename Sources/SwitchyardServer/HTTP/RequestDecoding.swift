import Foundation
import Hummingbird
import NIOCore
import NIOFoundationCompat

extension Request {
    /// Shared by every request; never change its settings.
    private static let jsonDecoder = JSONDecoder()

    /// Reads and decodes a JSON body, with 413 for a body over `limit` and 400 naming the field at fault.
    func decodeJSON<T: Decodable>(_ type: T.Type, limit: Int) async throws -> T {
        var request = self
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: limit)
        } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
            // Hummingbird throws `NIOTooManyBytesError` (or an `HTTPError` when the declared length is too large).
            throw APIError.bodyTooLarge(limit: limit)
        }
        guard buffer.readableBytes > 0 else { throw APIError.badRequest("the request has no body; send JSON") }
        do {
            return try Self.jsonDecoder.decode(T.self, from: buffer)
        } catch let error as DecodingError {
            if case .dataCorrupted(let context) = error, context.codingPath.isEmpty,
                (try? JSONSerialization.jsonObject(with: Data(buffer: buffer), options: .fragmentsAllowed)) != nil
            {
                // Valid JSON that the decoder still refused: a number too large for its field.
                throw APIError.badRequest("a number in the body is out of range for its field")
            }
            throw APIError.badRequest(error.apiMessage, param: error.apiParam)
        } catch let error as APIError {
            throw error  // A body type's own check, with its own message.
        } catch {
            throw APIError.badRequest("the body is not valid JSON")
        }
    }
}

/// Who pays for a request: the client's `user` / `user_id`, else `anonymous`.
enum UserIdentity {
    static func resolve(_ claimed: String?) throws -> String {
        guard let claimed, !claimed.isEmpty else { return "anonymous" }
        guard claimed.count <= 128, !claimed.contains(where: { $0.isNewline || $0.asciiValue.map { $0 < 32 } == true })
        else {
            throw APIError.badRequest("'user' must be at most 128 printable characters", code: "invalid_user")
        }
        return claimed
    }
}
