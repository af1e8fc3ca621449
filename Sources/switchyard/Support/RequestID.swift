/// A new request id in the service's form, `sy_` and 20 random lowercase letters and digits.
enum RequestID {
    private static let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789")

    static func make() -> String {
        var generator = SystemRandomNumberGenerator()
        return "sy_" + String((0..<20).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] })
    }
}
