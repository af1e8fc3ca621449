import Foundation
import GRDB
import Logging
import Synchronization
import Testing

@testable import SwitchyardPostgres
@testable import SwitchyardStore

/// A wall clock the test moves by hand.
private final class TestWallClock: Sendable {
    private let offset = Mutex<Double>(0)
    var now: Date { testDate(offset.withLock { $0 }) }
    func advance(seconds: Double) { offset.withLock { $0 += seconds } }
}

/// The text of a value as a column holds it.
private func text(of value: SQLValue) -> String {
    if case .text(let text) = value { return text }
    return "\(value)"
}

/// A key store on the harness's ledger through a connection (pool) of its own, as another process would have.
private func withKeysOfAnotherProcess(
    _ harness: EngineHarness, now: @escaping @Sendable () -> Date = { Date() },
    _ body: (any APIKeyDirectory) async throws -> Void
) async throws {
    if let database = harness.sqlite {
        try await body(APIKeyStore(database: try LedgerDatabase(path: database.path), now: now))
    } else if let ledger = harness.postgres {
        try await PostgresLedger.withLedger(ledger.location) { other in
            try await body(PostgresAPIKeyStore(ledger: other, now: now))
        }
    }
}

/// The key stores on both engines (``EngineHarness/keys(lastUsedInterval:now:generateKey:)``), and what only the
/// SQLite one has (its files).
@Suite(.timeLimit(.minutes(5))) struct APIKeyStoreTests {
    @Test(arguments: LedgerEngine.available)
    func createdKeysHaveTheDocumentedShape(_ engine: LedgerEngine) async throws {
        try await withEngine(engine) { harness in
            let keys = harness.keys(now: { testDate() })
            let created = try await keys.createKey(userID: "alice", name: "  laptop  ")
            #expect(created.key.hasPrefix("sy-"))
            #expect(created.key.count == 43)
            #expect(created.key.dropFirst(3).allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) })
            #expect(APIKeyFormat.isWellFormed(created.key))
            #expect(
                created.record
                    == APIKeyRecord(
                        id: 1, prefix: String(created.key.prefix(8)), userID: "alice", name: "laptop",
                        createdAt: testDate()))
            // Two keys never come out the same.
            let other = try await keys.createKey(userID: "alice")
            #expect(other.key != created.key)
            #expect(other.record.name == nil)
            #expect(other.record.id == 2)
            #expect(try await keys.listKeys() == [created.record, other.record])
        }
    }

    @Test(arguments: LedgerEngine.available)
    func theKeyIsNeverStoredOnlyItsPrefixAndHash(_ engine: LedgerEngine) async throws {
        try await withEngine(engine) { harness in
            let keys = harness.keys(now: { testDate() })
            var created: [CreatedAPIKey] = []
            for user in ["alice", "bob", "carol"] { created.append(try await keys.createKey(userID: user, name: "k")) }
            _ = try await keys.authenticate(key: created[0].key)

            let rows = try await harness.rows("SELECT * FROM api_keys ORDER BY id")
            #expect(rows.count == 3)
            for (row, key) in zip(rows, created) {
                let secret = String(key.key.dropFirst(APIKeyFormat.prefixLength))
                for value in row {
                    #expect(!text(of: value).contains(key.key), "a column holds the key")
                    #expect(!text(of: value).contains(secret), "a column holds the secret part of the key")
                }
            }
            let stored = try await harness.rows("SELECT key_prefix, key_hash FROM api_keys ORDER BY id")
            #expect(stored == created.map { [SQLValue.text($0.record.prefix), .text(APIKeyFormat.hash($0.key))] })
        }
    }

    @Test func theKeyIsNeverInTheSQLiteFiles() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.appending(path: "ledger.sqlite").path
            let database = try LedgerDatabase(path: path)
            let keys = APIKeyStore(database: database, now: { testDate() })
            var created: [CreatedAPIKey] = []
            for user in ["alice", "bob", "carol"] { created.append(try await keys.createKey(userID: user, name: "k")) }
            _ = try await keys.authenticate(key: created[0].key)
            try database.close()

            // Nowhere in the files (the database and its write-ahead log).
            for file in try FileManager.default.contentsOfDirectory(atPath: directory.path) {
                let bytes = try Data(contentsOf: directory.appending(path: file))
                for key in created {
                    #expect(bytes.range(of: Data(key.key.utf8)) == nil, "\(file) holds a key")
                    #expect(bytes.range(of: Data(key.key.dropFirst(8).utf8)) == nil, "\(file) holds a key's secret")
                }
            }
        }
    }

    @Test func createdKeysDoNotLeakThroughDescriptionsOrDumps() async throws {
        try await withLedger { database in
            let created = try await APIKeyStore(database: database).createKey(userID: "alice")
            var dumped = ""
            dump(created, to: &dumped)
            for text in [created.description, String(describing: created), String(reflecting: created), dumped] {
                #expect(!text.contains(created.key.dropFirst(8)), "\(text)")
            }
        }
    }

    @Test(arguments: LedgerEngine.available)
    func authenticateAnswersTheUserOfAWorkingKeyOnly(_ engine: LedgerEngine) async throws {
        try await withEngine(engine) { harness in
            let keys = harness.keys()
            let alice = try await keys.createKey(userID: "alice")
            let bob = try await keys.createKey(userID: "bob", name: nil, kind: .service, team: "research")
            #expect(try await keys.authenticate(key: alice.key) == "alice")
            #expect(try await keys.authenticate(key: bob.key) == "bob")
            #expect(try await keys.check(key: alice.key).userID == "alice")
            #expect(
                try await keys.check(key: bob.key)
                    == .valid(APIKeyIdentity(keyID: bob.record.id, userID: "bob", kind: .service, team: "research")))

            // Well formed but never issued; and one character changed.
            var generator = SystemRandomNumberGenerator()
            #expect(try await keys.check(key: APIKeyFormat.generate(using: &generator)) == .unknown)
            let changed = String(alice.key.dropLast()) + (alice.key.last == "a" ? "b" : "a")
            #expect(try await keys.check(key: changed) == .unknown)
            #expect(try await keys.authenticate(key: changed) == nil)

            for malformed in [
                "", "sy-", alice.key + "x", String(alice.key.dropLast()), "Sy-" + alice.key.dropFirst(3),
                " " + alice.key, alice.key.replacingOccurrences(of: alice.key.suffix(1), with: "-"), "sk-abc",
            ] {
                #expect(try await keys.check(key: malformed) == .malformed, "\(malformed)")
            }
        }
    }

    @Test(arguments: LedgerEngine.available)
    func revokedKeysFailAtOnceEvenInAnotherProcess(_ engine: LedgerEngine) async throws {
        try await withEngine(engine) { harness in
            let server = harness.keys()
            let created = try await server.createKey(userID: "alice")
            #expect(try await server.authenticate(key: created.key) == "alice")

            try await withKeysOfAnotherProcess(harness, now: { testDate(5) }) { cli in
                let revoked = try await cli.revokeKey(.prefix(created.record.prefix))
                #expect(revoked)
            }
            #expect(try await server.check(key: created.key) == .revoked)
            #expect(try await server.authenticate(key: created.key) == nil)
            #expect(try await server.listKeys()[0].revokedAt == testDate(5))
            #expect(try await server.listKeys()[0].isRevoked)
        }
    }

    @Test(arguments: LedgerEngine.available)
    func revokeByIDPrefixOrWholeKeyAndOnlyOnce(_ engine: LedgerEngine) async throws {
        try await withEngine(engine) { harness in
            let keys = harness.keys()
            let first = try await keys.createKey(userID: "alice")
            let second = try await keys.createKey(userID: "alice")
            let third = try await keys.createKey(userID: "bob")

            #expect(try await keys.revokeKey(.id(first.record.id)))
            #expect(try await keys.revokeKey(.id(first.record.id)) == false)  // already revoked
            #expect(try await keys.revokeKey(.prefix(second.record.prefix)))
            #expect(try await keys.revokeKey(.prefix(second.record.prefix)) == false)
            #expect(try await keys.revokeKey(.key(third.key)))
            #expect(try await keys.revokeKey(.key(third.key)) == false)

            #expect(try await keys.revokeKey(.id(99)) == false)
            #expect(try await keys.revokeKey(.prefix("sy-zzzzz")) == false)
            #expect(try await keys.revokeKey(.prefix("sy-")) == false)  // a prefix matches exactly, never a shorter one
            for key in [first, second, third] { #expect(try await keys.check(key: key.key) == .revoked) }
        }
    }

    @Test(arguments: LedgerEngine.available)
    func concurrentRevocationsOfOneKeyRevokeItOnce(_ engine: LedgerEngine) async throws {
        try await withEngine(engine) { harness in
            let keys = harness.keys()
            let created = try await keys.createKey(userID: "alice")
            let other = try await keys.createKey(userID: "bob")
            let references: [APIKeyReference] = [.id(created.record.id), .prefix(created.record.prefix), .key(created.key)]
            let revoked = try await withThrowingTaskGroup(of: Bool.self) { group in
                for index in 0..<24 {
                    // Each through a store of its own, as from several instances.
                    let store = harness.keys()
                    group.addTask { try await store.revokeKey(references[index % references.count]) }
                }
                return try await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            #expect(revoked.filter { $0 }.count == 1)
            #expect(try await keys.check(key: created.key) == .revoked)
            #expect(try await keys.authenticate(key: other.key) == "bob")
            #expect(try await keys.listKeys().map(\.isRevoked) == [true, false])
        }
    }

    @Test(
        arguments: [
            ("12", APIKeyReference.id(12)), ("sy-AbCdE", .prefix("sy-AbCdE")), ("0", .prefix("0")),
            ("+3", .prefix("+3")), ("-3", .prefix("-3")), ("٣", .prefix("٣")),
            ("sy-" + String(repeating: "a", count: 40), .key("sy-" + String(repeating: "a", count: 40))),
        ] as [(String, APIKeyReference)])
    func referencesAreParsedFromWhatPeopleType(text: String, expected: APIKeyReference) {
        #expect(APIKeyReference(parsing: text) == expected)
    }

    @Test func referencesNeverShowAWholeKey() {
        let key = "sy-" + String(repeating: "Q", count: 40)
        #expect(APIKeyReference.key(key).description == "key 'sy-QQQQQ…'")
        #expect(APIKeyReference.id(4).description == "key 4")
    }

    @Test(arguments: LedgerEngine.available)
    func listShowsEveryKeyOrOneUsersInCreationOrder(_ engine: LedgerEngine) async throws {
        try await withEngine(engine) { harness in
            let clock = TestWallClock()
            let keys = harness.keys(now: { clock.now })
            let a1 = try await keys.createKey(userID: "alice", name: "one")
            clock.advance(seconds: 1)
            let b1 = try await keys.createKey(userID: "bob")
            clock.advance(seconds: 1)
            let a2 = try await keys.createKey(userID: "alice", name: "two")
            try await keys.revokeKey(.id(a1.record.id))

            let all = try await keys.listKeys()
            #expect(all.map(\.id) == [a1, b1, a2].map(\.record.id))
            #expect(all.map(\.prefix) == [a1, b1, a2].map(\.record.prefix))
            #expect(all.map(\.createdAt) == [testDate(0), testDate(1), testDate(2)])
            #expect(all.map(\.isRevoked) == [true, false, false])
            #expect(all[0].revokedAt == testDate(2))
            #expect(all[1] == b1.record)
            #expect(try await keys.listKeys(userID: "alice").map(\.name) == ["one", "two"])
            #expect(try await keys.listKeys(userID: "nobody").isEmpty)
        }
    }

    @Test(arguments: LedgerEngine.available)
    func setTeamMovesAKeyAndRefusesABadTeam(_ engine: LedgerEngine) async throws {
        try await withEngine(engine) { harness in
            let keys = harness.keys()
            let created = try await keys.createKey(userID: "alice", name: nil, kind: .user, team: "research")
            #expect(try await keys.check(key: created.key).identity?.team == "research")
            #expect(try await keys.setTeam("sales", of: .prefix(created.record.prefix)))
            #expect(try await keys.check(key: created.key).identity?.team == "sales")
            #expect(try await keys.setTeam(nil, of: .key(created.key)))
            #expect(try await keys.listKeys()[0].team == nil)
            #expect(try await keys.setTeam("sales", of: .id(99)) == false)
            await #expect {
                try await keys.setTeam("two\nlines", of: .id(created.record.id))
            } throws: { ($0 as? APIKeyError)?.code == .invalidTeam }
            await #expect {
                try await keys.createKey(userID: "bob", name: nil, kind: .user, team: "")
            } throws: { ($0 as? APIKeyError)?.code == .invalidTeam }
            #expect(try await harness.integer("SELECT count(*) FROM api_keys") == 1)
        }
    }

    @Test(arguments: LedgerEngine.available)
    func lastUsedIsWrittenAtMostOnceAMinute(_ engine: LedgerEngine) async throws {
        try await withEngine(engine) { harness in
            let clock = TestWallClock()
            let keys = harness.keys(now: { clock.now })
            let created = try await keys.createKey(userID: "alice")
            func lastUsed() async throws -> Date? { try await keys.listKeys()[0].lastUsedAt }
            #expect(try await lastUsed() == nil)

            #expect(try await keys.authenticate(key: created.key) == "alice")
            #expect(try await lastUsed() == testDate(0))
            clock.advance(seconds: 59)
            #expect(try await keys.authenticate(key: created.key) == "alice")
            #expect(try await lastUsed() == testDate(0))
            clock.advance(seconds: 2)
            #expect(try await keys.authenticate(key: created.key) == "alice")
            #expect(try await lastUsed() == testDate(61))

            // A fresh process (no memory of its own writes) is held off by the stored value.
            let restarted = harness.keys(now: { clock.now })
            clock.advance(seconds: 30)
            #expect(try await restarted.authenticate(key: created.key) == "alice")
            #expect(try await lastUsed() == testDate(61))
            clock.advance(seconds: 31)
            #expect(try await restarted.authenticate(key: created.key) == "alice")
            #expect(try await lastUsed() == testDate(122))

            // Refused keys are not recorded as used.
            try await keys.revokeKey(.id(created.record.id))
            clock.advance(seconds: 120)
            #expect(try await keys.authenticate(key: created.key) == nil)
            #expect(try await lastUsed() == testDate(122))
        }
    }

    @Test(arguments: LedgerEngine.available)
    func manyConcurrentRequestsWithOneKeyAllAuthenticate(_ engine: LedgerEngine) async throws {
        try await withEngine(engine) { harness in
            let keys = harness.keys(now: { testDate() })
            let created = try await keys.createKey(userID: "alice")
            let users = try await withThrowingTaskGroup(of: String?.self) { group in
                for _ in 0..<64 { group.addTask { try await keys.authenticate(key: created.key) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(users == Array(repeating: "alice", count: 64))
            #expect(try await keys.listKeys()[0].lastUsedAt == testDate())
        }
    }

    @Test(arguments: LedgerEngine.available)
    func aClashingPrefixIsDrawnAgain(_ engine: LedgerEngine) async throws {
        try await withEngine(engine) { harness in
            let draws = Mutex([
                "sy-AAAAA" + String(repeating: "1", count: 35),
                "sy-AAAAA" + String(repeating: "2", count: 35),  // same prefix as the first
                "sy-BBBBB" + String(repeating: "2", count: 35),
            ])
            let keys = harness.keys(now: { testDate() }, generateKey: { draws.withLock { $0.removeFirst() } })
            let first = try await keys.createKey(userID: "alice")
            let second = try await keys.createKey(userID: "bob")
            #expect(first.key.hasPrefix("sy-AAAAA"))
            #expect(second.key == "sy-BBBBB" + String(repeating: "2", count: 35))
            #expect(try await keys.authenticate(key: second.key) == "bob")
            #expect(try await harness.integer("SELECT count(*) FROM api_keys") == 2)
        }
    }

    /// Many keys created at once, through several stores, two by two drawing the same key first (a clash of hash
    /// and prefix for the later one), then a key with that same prefix (a clash of prefix), then a fresh key: each
    /// clash is drawn again, and every key ends up with a prefix and a hash of its own.
    @Test(arguments: LedgerEngine.available)
    func concurrentCreationsWithClashingDrawsEachGetAKeyOfTheirOwn(_ engine: LedgerEngine) async throws {
        try await withEngine(engine) { harness in
            let count = 24
            func contested(_ pair: Int) -> String { "sy-" + String(format: "%05d", pair) }
            let created = try await withThrowingTaskGroup(of: CreatedAPIKey.self) { group in
                for index in 0..<count {
                    let prefix = contested(index / 2)
                    let draws = Mutex([
                        prefix + String(repeating: "x", count: 35),
                        prefix + String(repeating: index % 2 == 0 ? "y" : "z", count: 35),
                    ])
                    let keys = harness.keys(generateKey: {
                        draws.withLock { $0.isEmpty ? APIKeyFormat.generate() : $0.removeFirst() }
                    })
                    group.addTask { try await keys.createKey(userID: "user-\(index)") }
                }
                return try await group.reduce(into: [CreatedAPIKey]()) { $0.append($1) }
            }
            #expect(created.count == count)
            #expect(Set(created.map(\.record.prefix)).count == count)
            #expect(Set(created.map(\.key)).count == count)
            #expect(Set(created.map(\.record.id)).count == count)
            // One of each pair won the contested key; the other ended with a fresh one.
            let contestedPrefixes = Set((0..<count / 2).map(contested))
            #expect(created.filter { contestedPrefixes.contains($0.record.prefix) }.count == count / 2)
            #expect(created.filter { $0.key.hasSuffix(String(repeating: "x", count: 35)) }.count == count / 2)
            let keys = harness.keys()
            for key in created { #expect(try await keys.authenticate(key: key.key) == key.record.userID) }
            let stored = try await harness.integer("SELECT count(DISTINCT key_prefix) FROM api_keys")
            #expect(stored == Int64(count))
            #expect(Set(try await keys.listKeys().map(\.prefix)) == Set(created.map(\.record.prefix)))
        }
    }

    @Test(arguments: LedgerEngine.available)
    func aBrokenRandomSourceFailsInsteadOfLooping(_ engine: LedgerEngine) async throws {
        try await withEngine(engine) { harness in
            let fixed = "sy-" + String(repeating: "x", count: 40)
            let keys = harness.keys(now: { testDate() }, generateKey: { fixed })
            _ = try await keys.createKey(userID: "alice")
            await #expect {
                try await keys.createKey(userID: "bob")
            } throws: { error in
                (error as? APIKeyError)?.code == .generationFailed
            }
            #expect(try await harness.integer("SELECT count(*) FROM api_keys") == 1)
        }
    }

    @Test(
        arguments: LedgerEngine.available,
        ["", String(repeating: "u", count: 129), "line\nbreak", "tab\there", "nul\u{0}"])
    func unusableUserIDsAreRefused(_ engine: LedgerEngine, userID: String) async throws {
        try await withEngine(engine) { harness in
            await #expect {
                try await harness.keys().createKey(userID: userID)
            } throws: { error in
                (error as? APIKeyError)?.code == .invalidUser
            }
            let count = try await harness.integer("SELECT count(*) FROM api_keys")
            #expect(count == 0)
        }
    }

    @Test(arguments: LedgerEngine.available)
    func unusableNamesAreRefusedAndBlankOnesDropped(_ engine: LedgerEngine) async throws {
        try await withEngine(engine) { harness in
            let keys = harness.keys()
            for name in [String(repeating: "n", count: 201), "two\nlines"] {
                await #expect {
                    try await keys.createKey(userID: "alice", name: name)
                } throws: { error in
                    (error as? APIKeyError)?.code == .invalidName
                }
            }
            let blank = try await keys.createKey(userID: "alice", name: "   ")
            let unicode = try await keys.createKey(userID: "ünïcødé user", name: "für CI")
            #expect(blank.record.name == nil)
            #expect(unicode.record.name == "für CI")
            #expect(try await keys.listKeys(userID: "ünïcødé user").map(\.name) == ["für CI"])
        }
    }
}
