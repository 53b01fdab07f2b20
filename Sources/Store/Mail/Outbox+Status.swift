import Database
import Domain
import Foundation

/// Mail that failed, for the people who act on it: how many, and the first few with their safe reasons.
public struct FailedMail: Sendable, Equatable {
    public var count: Int
    /// The newest first; no content, only purpose, addresses, the record it is about and the safe reason.
    public var first: [OutboxEntry]
}

extension Outbox {
    /// Whether mail can go out at all: a server and a sender address are set (`SMTPSettings.isConfigured`). Until then
    /// the delivery worker sends nothing and messages wait in the outbox; the pages say so.
    public func isSetUp() throws -> Bool { try settings().smtp.isConfigured }

    /// Messages that gave up after their attempts: the count, and the newest `limit` with their safe reasons, for the
    /// coordinator's queue and the administrator. Others get none.
    public func failedMail(limit: Int = 5, for viewer: Viewer) throws -> FailedMail {
        guard viewer.can(.manageMeetings) || viewer.can(.manageUsers) else { return FailedMail(count: 0, first: []) }
        let count = try counts()[.failed] ?? 0
        return FailedMail(count: count, first: count == 0 ? [] : try recent(limit: limit, status: .failed))
    }
}
