import Foundation

/// What an audit entry records. Views, changes and exports of personal data are all audited
/// (DESIGN.md, "Users and access"), as are logins and refusals.
public enum AuditAction: String, CaseIterable, Sendable, Codable {
    case loginSucceeded = "login.succeeded"
    case loginFailed = "login.failed"
    case loginThrottled = "login.throttled"
    case logout
    case sessionExpired = "session.expired"
    case view
    case create
    case update
    case delete
    case export
    case accessRefused = "access.refused"
    case passwordChanged = "password.changed"
    case userDisabled = "user.disabled"
    case userEnabled = "user.enabled"
    /// A queued message was handed to the mail server (detail: purpose, recipient count, attempt; no content).
    case mailSent = "mail.sent"
    /// A delivery attempt failed (detail: attempt, error code, whether it will be retried).
    case mailFailed = "mail.failed"
    /// The first audit key was made (`mappa audit key`); from this entry on, every entry is keyed.
    case auditKeyCreated = "audit.key_created"
    /// The audit key was rotated; the entry is keyed with the new key (detail: the old and new key ids).
    case auditKeyRotated = "audit.key_rotated"
}

/// One link of the append-only audit chain. `detail` is a short description without personal data
/// (record identifiers, not names).
public struct AuditEntry: Sendable, Equatable {
    public var sequence: Int64
    public var occurredAt: Date
    public var actorUserID: Int64?
    public var actorUsername: String
    public var action: AuditAction
    public var subjectType: String
    public var subjectID: String
    public var detail: String
    public var clientAddress: String
    public var previousHash: String
    public var hash: String
    /// The id of the key whose HMAC-SHA-256 `hash` is (`AuditKeyring`); empty: plain SHA-256, as every entry
    /// was before the chain had a key.
    public var keyID: String

    public init(sequence: Int64, occurredAt: Date, actorUserID: Int64?, actorUsername: String, action: AuditAction,
                subjectType: String, subjectID: String, detail: String, clientAddress: String,
                previousHash: String, hash: String = "", keyID: String = "") {
        self.sequence = sequence
        self.occurredAt = occurredAt
        self.actorUserID = actorUserID
        self.actorUsername = actorUsername
        self.action = action
        self.subjectType = subjectType
        self.subjectID = subjectID
        self.detail = detail
        self.clientAddress = clientAddress
        self.previousHash = previousHash
        self.hash = hash
        self.keyID = keyID
    }

    /// The hash of the first entry's predecessor.
    public static let genesisHash = String(repeating: "0", count: 64)

    /// The exact text that is hashed: every field but `hash`, each length-prefixed so that no two different
    /// entries serialise alike. Changing this breaks every existing chain, so it is versioned: "v1" for plain
    /// entries (unchanged since the first chain), "v2" for keyed ones, which also cover their key id.
    public var canonicalText: String {
        var fields = [
            keyID.isEmpty ? "v1" : "v2", String(sequence), String(Int64((occurredAt.timeIntervalSince1970 * 1000).rounded())),
            actorUserID.map(String.init) ?? "", actorUsername, action.rawValue, subjectType, subjectID, detail,
            clientAddress, previousHash,
        ]
        if !keyID.isEmpty { fields.append(keyID) }
        return fields.map { "\($0.utf8.count):\($0)" }.joined(separator: "|")
    }
}
