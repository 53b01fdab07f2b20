import Database
import Domain
import Foundation

/// Where a queued message is in its life.
public enum OutboxStatus: String, Sendable, CaseIterable, Codable, StoredAsRawValue {
    /// Waiting for its next attempt (new, or after a failed attempt).
    case queued
    /// Claimed by a delivery worker. If the worker dies, the claim lapses and another worker takes it.
    case sending
    /// Accepted by the mail server.
    case sent
    /// Gave up after the maximum number of attempts; an administrator can retry it.
    case failed
}

/// One message as the status page shows it: no content, only addresses, counts and times.
public struct OutboxEntry: Sendable, Equatable, RowDecodable {
    public var id: Int64
    public var createdAt: String
    public var purpose: String
    public var recipients: [String]
    public var status: OutboxStatus
    public var attempts: Int
    /// When a queued message is next tried; nil once sent or failed.
    public var nextAttemptAt: Date?
    public var lastError: String
    public var sentAt: String?
    public var meetingID: Int64?
    public var caseID: Int64?
    public var recipientCount: Int { recipients.count }

    public static let columns = "id, created_at, purpose, recipients, status, attempts, next_attempt_at, last_error, sent_at, meeting_id, case_id"

    public init(row: inout RowReader) throws(DatabaseError) {
        id = try row.decode("id")
        createdAt = try row.decode("created_at")
        purpose = try row.decode("purpose")
        recipients = try row.decode("recipients", as: String.self).split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        status = try row.decode("status")
        attempts = try row.decode("attempts")
        let next: Int64 = try row.decode("next_attempt_at")
        nextAttemptAt = status == .queued || status == .sending ? Date(timeIntervalSince1970: TimeInterval(next)) : nil
        lastError = try row.decode("last_error")
        sentAt = try row.decodeIfPresent("sent_at")
        meetingID = try row.decodeIfPresent("meeting_id")
        caseID = try row.decodeIfPresent("case_id")
    }
}

/// A message a worker has claimed and must now send, then report with `markSent` or `markFailed`.
public struct ClaimedMail: Sendable, Equatable {
    public var id: Int64
    /// Which attempt this is (1 for the first); the report must name it, so a worker whose claim lapsed cannot
    /// overwrite the outcome of the worker that took over.
    public var attempt: Int
    public var purpose: String
    /// When the message was queued: its Date header and the invitation's DTSTAMP, the same on every attempt.
    public var createdAt: Date
    public var mail: OutgoingMail
    public var meetingID: Int64?
    public var caseID: Int64?
    /// A Message-ID that stays the same across attempts, so a receiver can drop a duplicate.
    public func messageID(domain: String) -> String {
        "mappa-outbox-\(id)-\(Int64(createdAt.timeIntervalSince1970))@\(domain.isEmpty ? "mappa.invalid" : domain)"
    }
}
