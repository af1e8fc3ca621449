import Foundation
import NIOCore
import SwitchyardCore

/// JSON in and out of request and response bodies.
enum JSONCoding {
    /// Shared by every call (creating one per call is measurable on the request path); never change its settings.
    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return encoder
    }()
    private static let decoder = JSONDecoder()

    /// Encodes a request body.
    static func encode(_ value: some Encodable) throws -> ByteBuffer {
        ByteBuffer(bytes: try encoder.encode(value))
    }

    /// Decodes a 2xx body; a body that is not the expected JSON is a ``ProviderError/Code/malformedResponse``.
    static func decode<T: Decodable>(_ type: T.Type, from bytes: ByteBuffer, mapper: UpstreamErrorMapper) throws -> T {
        do {
            return try decoder.decode(type, from: Data(bytes.readableBytesView))
        } catch {
            throw mapper.malformed(
                "the response is not valid \(type) JSON (\(bytes.readableBytes) bytes: \(reason(error)))")
        }
    }

    /// Decodes the `data` of one stream event; bad JSON is reported as a broken stream.
    static func decode<T: Decodable>(_ type: T.Type, event: ServerSentEvent, mapper: UpstreamErrorMapper) throws -> T {
        do {
            return try decoder.decode(type, from: Data(event.data.utf8))
        } catch {
            throw mapper.malformed("a stream event is not valid JSON (\(reason(error)))")
        }
    }

    /// A short reason without the body itself (which could be long, or echo a prompt).
    private static func reason(_ error: any Error) -> String {
        switch error {
        case DecodingError.dataCorrupted: return "not JSON or cut short"
        case DecodingError.keyNotFound(let key, _): return "missing \(key.stringValue)"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            return "unexpected value at \(context.codingPath.map(\.stringValue).joined(separator: "."))"
        default: return "undecodable"
        }
    }
}

extension JSONValue {
    /// Compact JSON text; whole numbers print without a fraction (`5`, not `5.0`), object keys sorted.
    var jsonText: String {
        var output = ""
        write(to: &output)
        return output
    }

    private func write(to output: inout String) {
        switch self {
        case .null: output += "null"
        case .bool(let flag): output += flag ? "true" : "false"
        case .number(let number):
            if number.rounded() == number, abs(number) < 9.007_199_254_740_992e15 {
                output += String(Int64(number))
            } else {
                output += "\(number)"
            }
        case .string(let text): JSONValue.writeString(text, to: &output)
        case .array(let items):
            output += "["
            for (index, item) in items.enumerated() {
                if index > 0 { output += "," }
                item.write(to: &output)
            }
            output += "]"
        case .object(let fields):
            output += "{"
            for (index, key) in fields.keys.sorted().enumerated() {
                if index > 0 { output += "," }
                JSONValue.writeString(key, to: &output)
                output += ":"
                fields[key]!.write(to: &output)
            }
            output += "}"
        }
    }

    private static func writeString(_ text: String, to output: inout String) {
        output += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: output.unicodeScalars.append(scalar)
            }
        }
        output += "\""
    }

    /// Parses JSON text (tool-call arguments) into a value; `nil` when it is not JSON.
    init?(jsonText: String) {
        guard let value = try? JSONDecoder().decode(JSONValue.self, from: Data(jsonText.utf8)) else { return nil }
        self = value
    }
}

/// Usage counted by Switchyard when a provider reports none.
enum UsageEstimate {
    /// An estimate for `request` answered with `output` text, marked ``SwitchyardCore/TokenUsage/isEstimated``.
    static func estimate(request: ChatRequest, output: String) -> TokenUsage {
        TokenUsage(
            promptTokens: TokenEstimator.expectedPromptTokens(request),
            completionTokens: TokenEstimator.estimatedTokens(forText: output),
            isEstimated: true)
    }
}
