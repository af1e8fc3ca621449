import Testing

@testable import SwitchyardStore

@Suite struct APIKeyFormatTests {
    @Test func hashIsLowercaseHexSHA256() {
        // FIPS 180-2 test vectors.
        #expect(APIKeyFormat.hash("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(APIKeyFormat.hash("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    @Test func generatedKeysUseEveryCharacterOfTheAlphabet() {
        var generator = SplitMix(seed: 7)
        var seen = Set<Character>()
        for _ in 0..<200 {
            let key = APIKeyFormat.generate(using: &generator)
            #expect(APIKeyFormat.isWellFormed(key))
            seen.formUnion(key.dropFirst(3))
        }
        #expect(seen.count == 62)
    }

    @Test func aSeededGeneratorRepeats() {
        var first = SplitMix(seed: 1)
        var second = SplitMix(seed: 1)
        #expect(APIKeyFormat.generate(using: &first) == APIKeyFormat.generate(using: &second))
    }

    @Test func shapes() {
        let key = "sy-" + String(repeating: "a", count: 39) + "Z"
        #expect(APIKeyFormat.isWellFormed(key))
        #expect(!APIKeyFormat.isWellFormed(key.dropLast() + "é"))
        #expect(!APIKeyFormat.isWellFormed(key.dropLast() + "_"))
        #expect(APIKeyFormat.looksLikeKey("sy-short"))
        #expect(!APIKeyFormat.looksLikeKey("sk-proj-abc"))
        #expect(APIKeyFormat.displayPrefix(of: key) == "sy-aaaaa")
        #expect(APIKeyFormat.displayPrefix(of: "sy-ab") == "sy-ab")
    }
}

/// A small deterministic generator (SplitMix64) for tests of the key alphabet.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
