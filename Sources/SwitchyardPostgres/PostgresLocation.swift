public import PostgresNIO
import NIOSSL
import SwitchyardStore

import struct Foundation.URL
import struct Foundation.URLComponents

/// Where a PostgreSQL ledger is: parsed from a `postgresql://user@host:port/database` URL, with the password read
/// from an environment variable named in the configuration (never from the URL or a file).
///
/// `sslmode` in the query selects TLS: `disable` (the default on a loopback host), `prefer`, or `require` (the
/// default elsewhere).
public struct PostgresLocation: Sendable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var username: String
    public var database: String
    public var tls: TLSMode
    /// Connections the pool may open. Default ``defaultPoolSize``.
    public var poolSize = PostgresLocation.defaultPoolSize
    /// 20 connections.
    public static let defaultPoolSize = 20
    var password: String? = nil

    /// How the connection is encrypted.
    public enum TLSMode: String, Sendable, CaseIterable {
        case disable, prefer, require
    }

    /// Whether `text` names a PostgreSQL database rather than an SQLite file.
    public static func isURL(_ text: String) -> Bool {
        text.hasPrefix("postgresql://") || text.hasPrefix("postgres://")
    }

    /// - Parameters:
    ///   - url: `postgresql://user@host[:port]/database[?sslmode=disable|prefer|require]`.
    ///   - passwordVariable: the environment variable holding the password, if the server needs one.
    ///   - environment: where it is read.
    /// - Throws: ``LedgerError`` `ledger_open_failed` naming what is wrong with the URL, a password written in it,
    ///   or a named variable that is not set.
    public init(url: String, passwordVariable: String? = nil, environment: [String: String]) throws {
        self = try Self(url: url)
        if let passwordVariable {
            guard let password = environment[passwordVariable], !password.isEmpty else {
                throw LedgerError(
                    .openFailed,
                    "the PostgreSQL password variable \(passwordVariable) (database.password_env) is not set or empty")
            }
            self.password = password
        }
    }

    /// Parses `url` alone (no password): what a configuration check does.
    /// - Throws: ``LedgerError`` `ledger_open_failed` naming what is wrong with the URL.
    public init(url: String) throws {
        func invalid(_ reason: String) -> LedgerError {
            LedgerError(.openFailed, "invalid PostgreSQL URL '\(Self.redacted(url))': \(reason)")
        }
        guard Self.isURL(url), let components = URLComponents(string: url) else {
            throw invalid("expected postgresql://user@host[:port]/database")
        }
        guard components.password == nil else {
            throw invalid(
                "it contains a password; put the password in an environment variable and name it in "
                    + "database.password_env")
        }
        guard let host = components.host, !host.isEmpty else { throw invalid("it names no host") }
        guard let user = components.user, !user.isEmpty else { throw invalid("it names no user (user@host)") }
        let database = String(components.path.drop { $0 == "/" })
        guard !database.isEmpty, !database.contains("/") else { throw invalid("it names no database (/name)") }
        if let port = components.port, !(1...65_535).contains(port) {
            throw invalid("port \(port) is not between 1 and 65535")
        }
        var tls: TLSMode = ["127.0.0.1", "localhost", "::1"].contains(host) ? .disable : .require
        for item in components.queryItems ?? [] {
            guard item.name == "sslmode" else { throw invalid("unknown parameter '\(item.name)' (only sslmode)") }
            guard let mode = item.value.flatMap(TLSMode.init(rawValue:)) else {
                throw invalid("sslmode must be disable, prefer or require")
            }
            tls = mode
        }
        self.host = host
        self.port = components.port ?? 5432
        self.username = user.removingPercentEncoding ?? user
        self.database = database.removingPercentEncoding ?? database
        self.tls = tls
    }

    /// `postgresql://user@host:port/database`, never with the password.
    public var description: String { "postgresql://\(username)@\(host):\(port)/\(database)" }

    /// `url` with anything between `://` and `@` past the user removed, for messages.
    static func redacted(_ url: String) -> String {
        guard let scheme = url.range(of: "://"), let at = url.range(of: "@", range: scheme.upperBound..<url.endIndex),
            let colon = url.range(of: ":", range: scheme.upperBound..<at.lowerBound)
        else { return url }
        return url.replacingCharacters(in: colon.lowerBound..<at.lowerBound, with: ":***")
    }

    var clientConfiguration: PostgresClient.Configuration {
        let tls: PostgresClient.Configuration.TLS =
            switch self.tls {
            case .disable: .disable
            case .prefer: .prefer(.makeClientConfiguration())
            case .require: .require(.makeClientConfiguration())
            }
        var configuration = PostgresClient.Configuration(
            host: host, port: port, username: username, password: password, database: database, tls: tls)
        configuration.options.connectTimeout = .seconds(5)
        configuration.options.maximumConnections = max(1, poolSize)
        return configuration
    }
}
