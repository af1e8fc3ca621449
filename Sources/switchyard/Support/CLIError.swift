/// An operational failure with a message for the operator: printed as `error: <message>`, exit code 1.
struct CLIError: Error, CustomStringConvertible {
    var message: String

    init(_ message: String) { self.message = message }

    var description: String { message }
}
