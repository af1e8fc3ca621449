/// A function the model may call, in the OpenAI `tools` shape (`{"type":"function","function":{...}}`).
public struct ToolDefinition: Sendable, Hashable, Codable {
    public var name: String
    public var description: String?
    /// The JSON Schema of the arguments.
    public var parameters: JSONValue?

    public init(name: String, description: String? = nil, parameters: JSONValue? = nil) {
        self.name = name
        self.description = description
        self.parameters = parameters
    }

    private enum OuterKeys: String, CodingKey { case type, function }
    private enum FunctionKeys: String, CodingKey { case name, description, parameters }

    public init(from decoder: any Decoder) throws {
        let outer = try decoder.container(keyedBy: OuterKeys.self)
        let function = try outer.nestedContainer(keyedBy: FunctionKeys.self, forKey: .function)
        self.name = try function.decode(String.self, forKey: .name)
        self.description = try function.decodeIfPresent(String.self, forKey: .description)
        self.parameters = try function.decodeIfPresent(JSONValue.self, forKey: .parameters)
    }

    public func encode(to encoder: any Encoder) throws {
        var outer = encoder.container(keyedBy: OuterKeys.self)
        try outer.encode("function", forKey: .type)
        var function = outer.nestedContainer(keyedBy: FunctionKeys.self, forKey: .function)
        try function.encode(name, forKey: .name)
        try function.encodeIfPresent(description, forKey: .description)
        try function.encodeIfPresent(parameters, forKey: .parameters)
    }
}

/// A call of a tool made by the model (`{"id","type":"function","function":{"name","arguments"}}`).
public struct ToolCall: Sendable, Hashable, Codable {
    public var id: String
    public var name: String
    /// The arguments as the JSON text the model produced.
    public var arguments: String

    public init(id: String, name: String, arguments: String) {
        self.id = id
        self.name = name
        self.arguments = arguments
    }

    private enum OuterKeys: String, CodingKey { case id, type, function }
    private enum FunctionKeys: String, CodingKey { case name, arguments }

    public init(from decoder: any Decoder) throws {
        let outer = try decoder.container(keyedBy: OuterKeys.self)
        self.id = try outer.decode(String.self, forKey: .id)
        let function = try outer.nestedContainer(keyedBy: FunctionKeys.self, forKey: .function)
        self.name = try function.decode(String.self, forKey: .name)
        self.arguments = try function.decodeIfPresent(String.self, forKey: .arguments) ?? "{}"
    }

    public func encode(to encoder: any Encoder) throws {
        var outer = encoder.container(keyedBy: OuterKeys.self)
        try outer.encode(id, forKey: .id)
        try outer.encode("function", forKey: .type)
        var function = outer.nestedContainer(keyedBy: FunctionKeys.self, forKey: .function)
        try function.encode(name, forKey: .name)
        try function.encode(arguments, forKey: .arguments)
    }
}

/// How the model may use tools: `"auto"`, `"none"`, `"required"` or one named function.
public enum ToolChoice: Sendable, Hashable, Codable {
    case auto
    case none
    case required
    case function(String)

    private enum OuterKeys: String, CodingKey { case type, function }
    private enum FunctionKeys: String, CodingKey { case name }

    public init(from decoder: any Decoder) throws {
        if let text = try? decoder.singleValueContainer().decode(String.self) {
            switch text {
            case "auto": self = .auto
            case "none": self = .none
            case "required": self = .required
            default:
                throw DecodingError.dataCorrupted(
                    .init(codingPath: decoder.codingPath,
                          debugDescription: "tool_choice must be auto, none, required or a function"))
            }
            return
        }
        let outer = try decoder.container(keyedBy: OuterKeys.self)
        let function = try outer.nestedContainer(keyedBy: FunctionKeys.self, forKey: .function)
        self = .function(try function.decode(String.self, forKey: .name))
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .auto, .none, .required:
            var container = encoder.singleValueContainer()
            try container.encode(self == .auto ? "auto" : self == .none ? "none" : "required")
        case .function(let name):
            var outer = encoder.container(keyedBy: OuterKeys.self)
            try outer.encode("function", forKey: .type)
            var function = outer.nestedContainer(keyedBy: FunctionKeys.self, forKey: .function)
            try function.encode(name, forKey: .name)
        }
    }
}
