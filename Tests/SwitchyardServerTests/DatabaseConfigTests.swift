import Foundation
import SwitchyardPostgres
import SwitchyardServer
import Testing

/// Choosing the ledger's engine: the `database` keys, `SWITCHYARD_DB` and `--db` take a file path or a URL.
@Suite struct DatabaseConfigTests {
    @Test func aPostgresURLSelectsPostgresAndAPathSelectsSQLiteAgain() throws {
        var settings = DatabaseSettings()
        #expect(try settings.postgresLocation(environment: [:]) == nil)
        settings.select("postgresql://app@db.internal:6432/ledger")
        let location = try #require(try settings.postgresLocation(environment: [:]))
        #expect(location.description == "postgresql://app@db.internal:6432/ledger")
        #expect(settings.location == "postgresql://app@db.internal:6432/ledger")
        settings.select("/data/ledger.sqlite")
        #expect(settings.url == nil && settings.path == "/data/ledger.sqlite")
        #expect(try settings.postgresLocation(environment: [:]) == nil)
    }

    @Test func thePasswordComesFromTheNamedVariableElsePGPASSWORD() throws {
        let config = try testConfig(
            simulatedYAML
                + "\ndatabase: {url: 'postgresql://app@db/ledger', password_env: LEDGER_PASSWORD, pool_size: 7}\n")
        #expect(try config.database.postgresLocation(environment: ["LEDGER_PASSWORD": "a"])?.poolSize == 7)
        #expect(throws: (any Error).self) { try config.database.postgresLocation(environment: ["PGPASSWORD": "b"]) }
        var plain = DatabaseSettings()
        plain.select("postgresql://app@db/ledger")
        #expect(try plain.postgresLocation(environment: ["PGPASSWORD": "b"]) != nil)
        #expect(try plain.postgresLocation(environment: [:]) != nil)  // no password: trust or peer authentication
    }

    @Test func switchyardDBTakesAURL() throws {
        let (config, _) = try SwitchyardConfig.resolve(
            configPath: nil, environment: ["SWITCHYARD_DB": "postgresql://app@localhost/ledger"])
        #expect(config.database.url == "postgresql://app@localhost/ledger")
    }
}
