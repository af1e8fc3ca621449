import Foundation
import GRDB
import Logging
import Synchronization
import Testing

@testable import SwitchyardStore

/// A wall clock the test moves by hand.
private final class TestWallClock: Sendable {
    private let offset = Mutex<Double>(0)
    var now: Date { testDate(offset.withLock { $0 }) }
    func advance(seconds: Double) { offset.withLock { $0 += seconds } }
}

@Suite(.timeLimit(.minutes(1))) struct APIKeyStoreTests {
    @Test func createdKeysHaveTheDocumentedShape() async throws {
        try await withLedger { database in
            let keys = APIKeyStore(database: database, now: { testDate() })
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
        }
    }

    @Test func theKeyIsNeverStoredOnlyItsPrefixAndHash() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.appending(path: "ledger.sqlite").path
            let database = try LedgerDatabase(path: path)
            let keys = APIKeyStore(database: database, now: { testDate() })
            var created: [CreatedAPIKey] = []
            for user in ["alice", "bob", "carol"] { created.append(try await keys.createKey(userID: user, name: "k")) }
            _ = try await keys.authenticate(key: created[0].key)

            let rows = try database.pool.read { db in try Row.fetchAll(db, sql: "SELECT * FROM api_keys") }
            #expect(rows.count == 3)
            for (row, key) in zip(rows, created) {
                let secret = String(key.key.dropFirst(APIKeyFormat.prefixLength))
                for column in row.columnNames {
                    let text = (row[column] as DatabaseValue).description
                    #expect(!text.contains(key.key), "column \(column) holds the key")
                    #expect(!text.contains(secret), "column \(column) holds the secret part of the key")
                }
                #expect((row["key_prefix"] as String) == key.record.prefix)
                #expect((row["key_hash"] as String) == APIKeyFormat.hash(key.key))
            }
            try database.close()

            // Nor anywhere in the files (the database and its write-ahead log).
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

    @Test func authenticateAnswersTheUserOfAWorkingKeyOnly() async throws {
        try await withLedger { database in
            let keys = APIKeyStore(database: database)
            let alice = try await keys.createKey(userID: "alice")
            let bob = try await keys.createKey(userID: "bob")
            #expect(try await keys.authenticate(key: alice.key) == "alice")
            #expect(try await keys.authenticate(key: bob.key) == "bob")
            #expect(try await keys.check(key: alice.key).userID == "alice")

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

    @Test func revokedKeysFailAtOnceEvenInAnotherProcess() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.appending(path: "ledger.sqlite").path
            let server = APIKeyStore(database: try LedgerDatabase(path: path))
            let cli = APIKeyStore(database: try LedgerDatabase(path: path), now: { testDate(5) })
            let created = try await server.createKey(userID: "alice")
            #expect(try await server.authenticate(key: created.key) == "alice")

            #expect(try await cli.revokeKey(.prefix(created.record.prefix)))
            #expect(try await server.check(key: created.key) == .revoked)
            #expect(try await server.authenticate(key: created.key) == nil)
            #expect(try await server.listKeys()[0].revokedAt == testDate(5))
            #expect(try await server.listKeys()[0].isRevoked)
        }
    }

    @Test func revokeByIDPrefixOrWholeKeyAndOnlyOnce() async throws {
        try await withLedger { database in
            let keys = APIKeyStore(database: database)
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

    @Test func listShowsEveryKeyOrOneUsersInCreationOrder() async throws {
        try await withLedger { database in
            let clock = TestWallClock()
            let keys = APIKeyStore(database: database, now: { clock.now })
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

    @Test func lastUsedIsWrittenAtMostOnceAMinute() async throws {
        try await withLedger { database in
            let clock = TestWallClock()
            let keys = APIKeyStore(database: database, now: { clock.now })
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
            let restarted = APIKeyStore(database: database, now: { clock.now })
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

    @Test func manyConcurrentRequestsWithOneKeyAllAuthenticate() async throws {
        try await withLedger { database in
            let keys = APIKeyStore(database: database, now: { testDate() })
            let created = try await keys.createKey(userID: "alice")
            let users = try await withThrowingTaskGroup(of: String?.self) { group in
                for _ in 0..<64 { group.addTask { try await keys.authenticate(key: created.key) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(users == Array(repeating: "alice", count: 64))
            #expect(try await keys.listKeys()[0].lastUsedAt == testDate())
        }
    }

    @Test func aClashingPrefixIsDrawnAgain() async throws {
        try await withLedger { database in
            let draws = Mutex([
                "sy-AAAAA" + String(repeating: "1", count: 35),
                "sy-AAAAA" + String(repeating: "2", count: 35),  // same prefix as the first
                "sy-BBBBB" + String(repeating: "2", count: 35),
            ])
            let keys = APIKeyStore(
                database: database, lastUsedInterval: .seconds(60), now: { testDate() },
                logger: .init(label: "test"), generateKey: { draws.withLock { $0.removeFirst() } })
            let first = try await keys.createKey(userID: "alice")
            let second = try await keys.createKey(userID: "bob")
            #expect(first.key.hasPrefix("sy-AAAAA"))
            #expect(second.key == "sy-BBBBB" + String(repeating: "2", count: 35))
            #expect(try await keys.authenticate(key: second.key) == "bob")
            #expect(try await database.count("api_keys") == 2)
        }
    }

    @Test func aBrokenRandomSourceFailsInsteadOfLooping() async throws {
        try await withLedger { database in
            let fixed = "sy-" + String(repeating: "x", count: 40)
            let keys = APIKeyStore(
                database: database, lastUsedInterval: .seconds(60), now: { testDate() },
                logger: .init(label: "test"), generateKey: { fixed })
            _ = try await keys.createKey(userID: "alice")
            await #expect {
                try await keys.createKey(userID: "bob")
            } throws: { error in
                (error as? APIKeyError)?.code == .generationFailed
            }
            #expect(try await database.count("api_keys") == 1)
        }
    }

    @Test(arguments: ["", String(repeating: "u", count: 129), "line\nbreak", "tab\there", "nul\u{0}"])
    func unusableUserIDsAreRefused(userID: String) async throws {
        try await withLedger { database in
            await #expect {
                try await APIKeyStore(database: database).createKey(userID: userID)
            } throws: { error in
                (error as? APIKeyError)?.code == .invalidUser
            }
            let count = try await database.count("api_keys")
            #expect(count == 0)
        }
    }

    @Test func unusableNamesAreRefusedAndBlankOnesDropped() async throws {
        try await withLedger { database in
            let keys = APIKeyStore(database: database)
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
        }
    }
}
