import Documents
import Domain
import Foundation
import Store

/// The agenda as a PDF (OFFICIAL-SENSITIVE on every page). Two copies, one rule each:
/// - the copy downloaded from the meeting page is the viewer's agenda (`MeetingStore.agenda(of:for:)`: only the cases
///   they may see), with names, as the page shows it;
/// - the copy attached to each invitation lists only the cases that invitee may be sent (`MeetingStore.sendInvitations`
///   applies the rule the minutes go out under), and names them by nominal reference only: an invitation goes to an
///   address before anyone has confirmed who reads that mailbox, often a shared one, so names stay in the app and in
///   the papers sent by secure email.
enum AgendaDocument {
    static let handling = [
        "OFFICIAL-SENSITIVE. Shared under the MAPPA information-sharing agreement for this meeting only.",
        "Do not forward or share outside your agency. Case details follow in the papers, by secure email.",
    ]

    static func document(_ meeting: Meeting, items: [MeetingItem], byReference: Bool) -> PrintableDocument {
        let rows = items.map { item -> [String] in
            let flag = AgendaBuilder.levelMismatch(caseLevel: item.level, kind: meeting.kind).map { " – \($0)" } ?? ""
            // Three columns, so names and reasons are not broken mid-word: the case with its level and lead under it.
            let who = byReference ? item.nominalRef : "\(item.nominalName)\n\(item.nominalRef)"
            return [item.startTime.isEmpty ? "–" : item.startTime,
                    "\(who)\n\(item.category.shortName), \(item.level.shortName)\nLead: \(item.leadAgencyName)",
                    "\(item.reviewType == "initial" ? "Initial" : "Review"): \(item.reason)\(flag)"]
        }
        var blocks: [PrintableBlock] = [
            .keyValues([PrintableKeyValue("Meeting", "\(meeting.kind.displayName): \(meeting.title)"),
                        PrintableKeyValue("When", MeetingRoutes.when(meeting)),
                        PrintableKeyValue("Where", [meeting.venue, meeting.onlineLink].filter { !$0.isEmpty }.joined(separator: " – ")),
                        PrintableKeyValue("Chair", meeting.chairName.isEmpty ? "To be confirmed" : meeting.chairName)]),
            .heading("Agenda"),
        ]
        blocks.append(items.isEmpty ? .paragraph(byReference ? "No case on this agenda is shared with you by email." : "No cases on the agenda yet.")
                                    : .table(headers: ["Time", "Case", "Discussion"], rows: rows))
        if byReference {
            blocks.append(.paragraph("Only the cases your agency may be sent are listed, by reference. Names and case details are in the papers."))
        }
        return PrintableDocument(title: "MAPPA agenda – \(meeting.title)", subtitle: "\(meeting.kind.displayName), \(meeting.date.displayText)",
                                 marking: Layout.marking, handlingConditions: handling, blocks: blocks)
    }

    static func filename(_ meeting: Meeting) -> String { "mappa-agenda-\(meeting.date).pdf" }

    /// The renderer of each invitee's copy, for `MeetingStore.sendInvitations`.
    static func mailing(_ services: Services) throws -> AgendaMailing {
        AgendaMailing(users: try services.accounts.accounts.users()) { meeting, items in
            MailAttachment(filename: filename(meeting), contentType: "application/pdf",
                           data: try PDFRenderer.render(document(meeting, items: items, byReference: true)))
        }
    }
}
