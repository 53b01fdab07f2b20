import Domain
import Foundation
import Store

/// How the pages word a message's place in the outbox, read from the outbox itself: waiting, being sent, sent, or
/// failed with the safe reason. A message is "Sent" only once the mail server accepted it.
enum MailStatusText {
    /// Said wherever mail would go out while no mail server is set up (`Outbox.isSetUp`).
    static let notSetUp = "Email is not set up: nothing will be sent until an administrator enters the mail server settings (Mail, in the administrator's menu). Messages wait in the outbox until then."

    static func tag(_ message: MessageStatus) -> HTML {
        switch message.status {
        case .queued:
            let reason: HTML = message.lastError.isEmpty ? .empty : " <span class=\"hint\">Last attempt: \(message.lastError)</span>"
            return Components.tag("Waiting to send", colour: "blue") + reason
        case .sending: return Components.tag("Sending", colour: "blue")
        case .sent:
            let when = message.sentAt.map { String($0.prefix(16)).replacingOccurrences(of: "T", with: " ") } ?? ""
            return Components.tag("Sent", colour: "green") + " \(when)"
        case .failed:
            return Components.tag("Failed", colour: "red") + " \(message.lastError.isEmpty ? "no reason recorded" : message.lastError)"
        }
    }

    /// An invitee's invitation: not sent yet, an update due, or the last message's status from the outbox.
    static func invitation(_ invitee: MeetingInvitee, meeting: Meeting) -> HTML {
        guard let sequence = invitee.invitedSequence else { return "Not sent yet" }
        let due: HTML = sequence < meeting.sequence ? "Update due. " : .empty
        guard let message = invitee.message else { return due + "Queued before message tracking began" }
        return due + tag(message)
    }

    /// An agency's reply as the coordinator's lists show it.
    static func reply(_ reply: StoredInvitationReply?) -> HTML {
        guard let reply else { return "No reply yet" }
        var parts = reply.reply.response.displayName
        if reply.reply.reportSent { parts += "; report sent separately" }
        let text: HTML = reply.reply.reportText.isEmpty ? .empty : "<br><span class=\"hint\">Report: \(reply.reply.reportText)</span>"
        return "\(parts) (\(reply.repliedBy), \(reply.repliedAt.prefix(10)))" + text
    }
}
