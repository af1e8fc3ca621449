import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import NIOFoundationCompat
import SwitchyardStore

extension Response {
    /// A JSON response from any `Encodable`.
    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) throws -> Response {
        var headers = headers
        headers[.contentType] = "application/json"
        let data = try SwitchyardJSON.encoder.encode(value)
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(data: data)))
    }
}

extension HTTPField.Name {
    static let switchyardRequestID = HTTPField.Name("x-switchyard-request-id")!
    /// Where Anthropic's SDKs send their API key.
    static let anthropicAPIKey = HTTPField.Name("x-api-key")!
    static let switchyardProvider = HTTPField.Name("x-switchyard-provider")!
    static let switchyardCost = HTTPField.Name("x-switchyard-cost-usd")!
}

/// An optional that encodes as `null` when absent, where synthesized `Encodable` would leave the key out.
struct Nullable<Value: Encodable>: Encodable {
    var value: Value?

    init(_ value: Value?) {
        self.value = value
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value)
    }
}
