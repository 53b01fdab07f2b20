import Domain
import Foundation
import HTTPServer
import Store

/// The case page: the registration, its actions, timeline, contact log, events and history, read once each. The
/// Store refuses (and records) a case the viewer may not see; every view is audited.
enum CaseRoutes {
    static func register(_ router: inout Router, _ services: Services) {
        router.get("/cases/:id", Access.require(services, nil) { request, session in
            let visible = try services.cases.case(id: try NominalRoutes.id(request), for: request.viewer(session))
            let page = try page(request, session, services, visible)
            // Recorded once the page is read, before it is sent: the page's reads then share one snapshot, not one
            // before the audit commit and another after it, and a page that fails to read is not sent.
            try services.audit.record(actor: request.actor(session), action: .view, subjectType: "case", subjectID: String(visible.id))
            return page
        })
    }

    /// `contactForm`: a refused contact log entry, shown again in the open form (422).
    static func page(_ request: Request, _ session: Session, _ services: Services, _ visible: VisibleCase,
                     contactForm: (values: [String: String], problems: [ValidationProblem])? = nil) throws -> Response {
        let record = visible.record
        let nominal = try services.nominals.nominal(of: visible)
        // The case's one review date, as every other page, list and check reads it.
        let reviewText = ReviewSchedule(level: record.level, status: record.status, nextReviewDate: record.nextReviewDate,
                                        today: services.today).text
        // Read once for the sections that show them: the timeline lists contacts and changes too, and both forms offer
        // the agencies.
        let contacts = try services.contacts.contactLog(of: visible)
        let changes = try services.cases.history(of: visible)
        let agencies = session.user.role.can(.editCases) ? try services.agencies.agencies(activeOnly: true) : []
        let timeline = try timelineSection(services, visible, contacts: contacts, changes: changes)
        let contactLog = ContactLogRoutes.section(session, services, caseID: visible.id, entries: contacts, agencies: agencies,
                                                  form: contactForm)
        let actions = try ActionRoutes.caseSection(session, services, visible)
        let events = try StatisticsRoutes.caseEventsSection(session, services, visible)
        let history = changes.map { entry -> [HTML] in
            [Components.time(entry.changedAt), "\(CaseRules.fieldName(entry.field))", "\(CaseRules.displayValue(field: entry.field, entry.oldValue))",
             "\(CaseRules.displayValue(field: entry.field, entry.newValue))", "\(entry.reason)", "\(entry.changedBy)"]
        }
        let groups = RiskGroup.allCases.map { group -> (String, HTML) in
            ("RoSH: \(group.displayName.lowercased())", "\(record.roshByGroup[group]?.displayName ?? "Not recorded")")
        }
        let nominalLink: HTML = session.user.role.can(.viewCases)
            ? "<a href=\"/nominals/\(nominal.id)\">\(nominal.nominalRef)</a>" : "\(nominal.nominalRef)"
        var links: [HTML] = []
        if session.user.role.can(.editCases) { links.append("<a href=\"/cases/\(record.id)/edit\">Change the case</a>") }
        if visible.viewerMayManageAccess { links.append("<a href=\"/cases/\(record.id)/access\">Who can see this case</a>") }
        if session.user.role.can(.editCases) { links.append("<a href=\"/cases/\(record.id)/audit\">Who has viewed it</a>") }
        let content: HTML = """
            \(Components.errorSummary(contactForm?.problems ?? []))
            \(Components.notification(Flash.from(request)?.message))
            <span class="caption">MAPPA case \(record.id)\(record.isRestricted ? " – restricted" : "")</span>
            <h1>\(nominal.fullName)</h1>
            \(Components.summaryList([
                ("Nominal", nominalLink),
                ("Category", "\(record.category.description)"),
                ("Level", "\(record.level.description)"),
                ("Lead agency", "\(record.leadAgencyName)"),
            ] + (record.areaName.isEmpty ? [] : [("MAPPA area", "\(record.areaName)")]) + [
                ("MAPPA start date", "\(record.startDate.displayText)"),
                ("Statutory end date", "\(record.statutoryEndDate?.displayText ?? "Not recorded")"),
                ("Next review", "\(reviewText)"),
                ("Overall RoSH", "\(record.rosh?.displayName ?? "Not recorded")"),
            ] + groups + [
                ("Status", "\(record.status == .active ? "Active" : "Exited \(record.exitDate?.displayText ?? ""): \(record.exitReason)")"),
            ]))
            \(links.isEmpty ? .empty : "<p>\(links.joined(separator: " · "))</p>" as HTML)
            \(actions)
            \(timeline)
            \(contactLog)
            \(events)
            \(Components.table(caption: "History of changes", headers: ["When", "What", "From", "To", "Why", "By"], rows: history))
            """
        return .html(Layout.page(title: "MAPPA case \(record.id)", session: session, currentPath: "/cases", hasErrors: contactForm != nil,
                                 content: content).rendered, status: contactForm == nil ? 200 : 422)
    }

    /// The case's story in one list, newest first: referral steps, meetings, contacts with agencies and changes to the
    /// registration.
    static func timelineSection(_ services: Services, _ visible: VisibleCase, contacts: [CaseContact], changes: [CaseHistoryEntry]) throws -> HTML {
        var entries: [(date: String, what: String, detail: String)] = []
        for referral in try services.referrals.referrals(of: visible) {
            for event in referral.events {
                entries.append((String(event.occurredAt.prefix(10)), "Referral \(ReferralRecord.reference(referral.id)): \(event.event)", event.note))
            }
        }
        for meeting in try services.meetings.meetings(of: visible) {
            entries.append((meeting.date.description, "\(meeting.kind.displayName) (\(meeting.status.displayName.lowercased()))", meeting.title))
        }
        for contact in contacts {
            entries.append((contact.occurredOn.description, "\(contact.method) \(contact.direction == "in" ? "from" : "to") \(contact.agencyName)", contact.summary))
        }
        for change in changes {
            entries.append((String(change.changedAt.prefix(10)), CaseRules.fieldName(change.field),
                            "\(CaseRules.displayValue(field: change.field, change.oldValue)) → \(CaseRules.displayValue(field: change.field, change.newValue))"))
        }
        let rows = entries.sorted { $0.date > $1.date }.prefix(200).map { entry -> [HTML] in
            ["\(CalendarDate(entry.date)?.displayText ?? entry.date)", "\(entry.what)", "<span class=\"free-text\">\(entry.detail)</span>"]
        }
        return Components.table(caption: "Timeline", headers: ["Date", "What", "Detail"], rows: Array(rows))
    }
}
