/// An optional report figure whose JSON key stays when it is unknown: `"success_rate": null` rather than no key,
/// which is what synthesized `Encodable` does with an optional.
@propertyWrapper
public struct Nullable<Value: Encodable & Sendable & Hashable>: Encodable, Sendable, Hashable {
    public var wrappedValue: Value?

    public init(wrappedValue: Value?) {
        self.wrappedValue = wrappedValue
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        if let wrappedValue { try container.encode(wrappedValue) } else { try container.encodeNil() }
    }
}
