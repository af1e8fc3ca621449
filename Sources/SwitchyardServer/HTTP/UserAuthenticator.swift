import HTTPTypes
import Hummingbird
import SwitchyardStore

/// Decides whom a chat request is made as and billed to, from its `Authorization: Bearer` key (`sy-…`, see
/// `switchyard keys create`) or the user the request claims (`user`, `user_id`).
///
/// - A valid user key: the key's user. A request that names another user is refused (403 `user_not_allowed`): only
///   a service key may name users.
/// - A valid service key (`switchyard keys create --service`): the user the request names, else the key's user.
///   Each named user has a budget of their own; the key's budget (and its team's) caps them all.
/// - With a valid key, the request is also billed to the key and to the key's team.
/// - A bearer token starting with `sy-` that is not a working key (unknown, revoked, malformed): 401, always.
/// - No key, or a bearer token that is not a Switchyard key: 401 when `keys.required`; otherwise the claimed user,
///   else `anonymous`. A foreign token is ignored rather than refused because the OpenAI SDKs insist on sending an
///   API key, so clients of a server without keys send placeholders such as `Bearer none` or their OpenAI key.
///
/// The admin key (`server.admin_key_env`) is separate: see ``AdminAuthenticator``. Keys are never logged or echoed;
/// messages show at most their first 8 characters.
///
/// ```swift
/// let users = UserAuthenticator(keys: runtime.store.keys(), required: config.keys.required)
/// let identity = try await users.identity(for: request, claimed: body.user)
/// ```
struct UserAuthenticator: Sendable {
    let keys: any APIKeyDirectory
    let required: Bool

    /// - Parameters:
    ///   - keys: the ledger's key table.
    ///   - required: `keys.required` from the configuration.
    init(keys: any APIKeyDirectory, required: Bool) {
        self.keys = keys
        self.required = required
    }

    /// Whom `request` is made as and billed to.
    ///
    /// - Parameter claimed: the user the body names (`user` of the OpenAI API, `user_id` of the simple API).
    /// - Throws: ``APIError`` 401 `unauthorized` for a bad or missing key, 403 `user_not_allowed` for a user key
    ///   naming another user, 400 `invalid_user` for an unusable claimed user, 503 when the key table cannot be
    ///   read.
    func identity(for request: Request, claimed: String?) async throws -> RequestIdentity {
        try await identity(authorization: request.headers[.authorization], claimed: claimed)
    }

    /// The decision of ``identity(for:claimed:)``, from the `Authorization` header's value.
    func identity(authorization: String?, claimed: String?) async throws -> RequestIdentity {
        let token = Self.bearerToken(authorization)
        if let token, APIKeyFormat.looksLikeKey(token) {
            let key = try await identityOfKey(String(token))
            let named = claimed.flatMap { $0.isEmpty ? nil : $0 }
            let userID: String
            switch key.kind {
            case .service:
                userID = try named.map { try UserIdentity.resolve($0) } ?? key.userID
            case .user:
                if let named, named != key.userID {
                    throw APIError(
                        .forbidden, type: "permission_error", code: "user_not_allowed",
                        message: "this API key is a user key of '\(key.userID)': its requests are made as "
                            + "'\(key.userID)' and cannot name another user ('\(named.prefix(128))'); leave out "
                            + "'user', or use a service key ('switchyard keys create --service') to bill end users "
                            + "separately")
                }
                userID = key.userID
            }
            return RequestIdentity(userID: userID, keyID: String(key.keyID), team: key.team)
        }
        if required {
            throw APIError.unauthorized(authorization == nil ? Self.missingKey : Self.notASwitchyardKey)
        }
        return RequestIdentity(userID: try UserIdentity.resolve(claimed))
    }

    private func identityOfKey(_ key: String) async throws -> APIKeyIdentity {
        let shown = "'\(APIKeyFormat.displayPrefix(of: key))…'"
        let check: APIKeyCheck
        do {
            check = try await keys.check(key: key)
        } catch is LedgerError {
            throw APIError(
                .serviceUnavailable, type: "service_unavailable", code: "keys_unavailable",
                message: "cannot check the API key now: the ledger database is not readable; retry shortly",
                retryAfter: .seconds(1))
        }
        switch check {
        case .valid(let identity):
            return identity
        case .revoked:
            throw APIError.unauthorized(
                "the API key \(shown) has been revoked; ask an administrator for a new one "
                    + "('switchyard keys create --user <id>')")
        case .unknown:
            throw APIError.unauthorized(
                "the API key \(shown) is not known to this server; check that it was copied whole and is meant "
                    + "for this server, or ask an administrator for one ('switchyard keys create --user <id>')")
        case .malformed:
            throw APIError.unauthorized(
                "the API key \(shown) is malformed: a Switchyard key is 'sy-' followed by 40 letters and digits; "
                    + "check that it was copied whole")
        }
    }

    private static let missingKey =
        "this server requires a Switchyard API key: send 'Authorization: Bearer sy-…' (an administrator creates one "
        + "with 'switchyard keys create --user <id>')"
    private static let notASwitchyardKey =
        "the Authorization header does not carry a Switchyard API key: this server requires "
        + "'Authorization: Bearer sy-…' with a key from 'switchyard keys create --user <id>'"

    /// The token of a `Bearer` authorization (scheme matched case-insensitively, blanks around the token
    /// ignored), `nil` for any other header or none.
    static func bearerToken(_ authorization: String?) -> Substring? {
        guard let authorization else { return nil }
        let trimmed = authorization.drop { $0 == " " || $0 == "\t" }
        guard trimmed.count > 7, trimmed.prefix(7).lowercased() == "bearer " else { return nil }
        let token = trimmed.dropFirst(7).drop { $0 == " " || $0 == "\t" }
        let end = token.lastIndex { $0 != " " && $0 != "\t" }
        guard let end else { return nil }
        return token[...end]
    }
}

/// Whom a chat request is made as and billed to (see ``UserAuthenticator``).
struct RequestIdentity: Sendable, Hashable {
    /// The end user, whose budget pays.
    var userID: String
    /// `api_keys.id` of the key presented, whose budget also pays; `nil` without a key.
    var keyID: String?
    /// The key's team, whose budget also pays.
    var team: String?
}
