/// Switchyard's request ids: `sy_` and 20 random lowercase letters and digits, as clients see them in
/// `x-switchyard-request-id` and the ledger records them in `requests.id`.
public enum RequestID {
    private static let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789")

    /// A new id.
    public static func make() -> String {
        var generator = SystemRandomNumberGenerator()
        return "sy_" + String((0..<20).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] })
    }
}
