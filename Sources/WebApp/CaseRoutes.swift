import Domain
import Foundation
import HTTPServer
import Store

/// Nominal search and the case and nominal records, behind need-to-know: every view is audited, every
/// refusal says so plainly and is audited too.
enum CaseRoutes {
    static func register(_ router: inout Router, _ services: Services) {
        CaseEditRoutes.register(&router, services)
        router.get("/nominals", Access.require(services, .viewCases) { request, session in
            let query = String((request.queryValue("q") ?? "").prefix(100))
            let pageSize = 50
            var results = try services.casework.searchNominalListings(query, limit: pageSize + 1, visibleTo: session.user)
            let more = results.count > pageSize
            results = Array(results.prefix(pageSize))
            if !query.isEmpty {
                try services.audit.record(actor: request.actor(session), action: .view, subjectType: "nominal_search",
                                          subjectID: "", detail: "\(results.count) results")
            }
            let search: HTML = """
                <h1>Find a nominal</h1>
                <form method="get" action="/nominals" class="search" role="search">
                  \(Components.textInput("q", label: "Name, other name, date of birth or identifier", value: query,
                                         hint: "For example: smith jo, 12/04/1988, a PNC ID or a CRN"))
                  \(Components.button("Search"))
                </form>

                """
            let page = Layout.page(title: "Find a nominal", session: session, currentPath: "/nominals",
                                   capacity: 1024 + results.count * 512) { out in
                out.append(search)
                if !query.isEmpty {
                    // Written into the page: 50 rows made into HTML first were checked and copied twice more.
                    Components.table(into: &out, caption: more
                                        ? "The first \(pageSize) results: add more of the name, a date of birth or an identifier to narrow the search"
                                        : "\(results.count) result\(results.count == 1 ? "" : "s")",
                                     headers: ["Nominal", "Name", "Other names", "Date of birth", "PNC ID"], rows: results) { nominal, row in
                        row.cell(link: nominal.nominalRef, href: "/nominals/\(nominal.id)")
                        row.cell(nominal.fullName)
                        row.cell(nominal.aliases.joined(separator: ", "))
                        row.cell(nominal.dateOfBirth?.displayText ?? "–")
                        row.cell(nominal.pncID)
                    }
                }
                if session.user.role.can(.editCases) {
                    out.markup("\n<p><a href=\"/cases/import\">Import or download the case register</a></p>")
                }
            }
            return .html(page.rendered)
        })
        router.get("/nominals/:id", Access.require(services, .viewCases) { request, session in
            let nominal = try CaseEditRoutes.loadNominal(request, session, services)
            let id = nominal.id
            try services.audit.record(actor: request.actor(session), action: .view, subjectType: "nominal", subjectID: String(id))
            let cases = try services.casework.cases(nominalID: id).map { record -> [HTML] in
                ["<a href=\"/cases/\(record.id)\">Case \(record.id)</a>", "\(record.category.shortName)", "\(record.level.shortName)",
                 "\(record.leadAgencyName)", "\(record.status.rawValue)"]
            }
            let content: HTML = """
                \(Components.notification(Flash.from(request)?.message))
                <span class="caption">Nominal \(nominal.nominalRef)</span>
                <h1>\(nominal.fullName)</h1>
                \(Components.summaryList([
                    ("Other names", "\(nominal.aliases.isEmpty ? "None recorded" : nominal.aliases.joined(separator: ", "))"),
                    ("Date of birth", "\(nominal.dateOfBirth?.displayText ?? "Not recorded")"),
                    ("Gender", "\(nominal.gender)"), ("Ethnicity", "\(nominal.ethnicity)"),
                    ("PNC ID", "\(nominal.pncID)"), ("ViSOR reference", "\(nominal.visorReference)"), ("nDelius CRN", "\(nominal.crn)"),
                    ("Custody status", "\(nominal.custodyStatus.displayName)"),
                    ("Release date", "\(nominal.releaseDate?.displayText ?? "–")"),
                    ("Current address", "\(nominal.noFixedAbode ? "No fixed abode (closest links: \(nominal.nfaArea))" : (nominal.currentAddress.isEmpty ? "Not recorded" : nominal.currentAddress))"),
                    ("Proposed release address", "\(nominal.proposedReleaseAddress.isEmpty ? "–" : nominal.proposedReleaseAddress)"),
                ]))
                \(session.user.role.can(.editCases) ? "<p><a href=\"/nominals/\(nominal.id)/edit\">Change the nominal record</a></p>" as HTML : .empty)
                \(Components.table(caption: "MAPPA cases", headers: ["Case", "Category", "Level", "Lead agency", "Status"], rows: cases))
                """
            return .html(Layout.page(title: nominal.fullName, session: session, currentPath: "/nominals", content: content).rendered)
        })
        router.get("/cases/:id", Access.require(services, nil) { request, session in
            let record = try CaseEditRoutes.loadCase(request, session, services)
            let id = record.id
            let nominal = try services.casework.nominal(id: record.nominalID)
            let schedule = ReviewSchedule(level: record.level, lastReviewed: record.lastReviewedOn ?? record.startDate,
                                          today: services.casework.today, timescales: services.casework.timescales)
            let reviewText: String
            switch schedule.state {
            case .notApplicable: reviewText = "No multi-agency review cycle at this level"
            case .neverReviewed: reviewText = "Due now"
            case .dueIn(let days): reviewText = "\(record.nextReviewDate?.displayText ?? schedule.dueDate?.displayText ?? "") (in \(days) days)"
            case .overdue(let days): reviewText = "Overdue by \(days) days"
            }
            // Read once for the sections that show them: the timeline lists contacts and changes too, and both
            // forms offer the agencies.
            let contacts = try services.meetings.contactLog(caseID: id)
            let changes = try services.casework.history(caseID: id)
            let agencies = session.user.role.can(.editCases) ? try services.accounts.accounts.agencies(activeOnly: true) : []
            let timeline = try timelineSection(session, services, caseID: id, contacts: contacts, changes: changes)
            let contactLog = AgencyRoutes.contactLogSection(session, services, caseID: id, entries: contacts, agencies: agencies)
            let actions = try ActionRoutes.caseSection(session, services, caseID: id, agencies: agencies)
            let events = try StatisticsRoutes.caseEventsSection(session, services, caseID: id, nominalID: record.nominalID)
            let history = changes.map { entry -> [HTML] in
                ["\(entry.changedAt)", "\(CaseRules.fieldName(entry.field))", "\(CaseRules.displayValue(field: entry.field, entry.oldValue))",
                 "\(CaseRules.displayValue(field: entry.field, entry.newValue))", "\(entry.reason)", "\(entry.changedBy)"]
            }
            let groups = RiskGroup.allCases.map { group -> (String, HTML) in
                ("RoSH: \(group.displayName.lowercased())", "\(record.roshByGroup[group]?.displayName ?? "Not recorded")")
            }
            let nominalLink: HTML = nominal.map { n in
                session.user.role.can(.viewCases) ? "<a href=\"/nominals/\(n.id)\">\(n.nominalRef)</a>" : "\(n.nominalRef)"
            } ?? "–"
            let content: HTML = """
                \(Components.notification(Flash.from(request)?.message))
                <span class="caption">MAPPA case \(record.id)\(record.restricted ? " – restricted" : "")</span>
                <h1>\(nominal?.fullName ?? "Unknown nominal")</h1>
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
                \(session.user.role.can(.editCases) ? "<p><a href=\"/cases/\(record.id)/edit\">Change the case</a> · <a href=\"/cases/\(record.id)/access\">Who can see this case</a></p>" as HTML : .empty)
                \(actions)
                \(timeline)
                \(contactLog)
                \(events)
                \(Components.table(caption: "History of changes", headers: ["When", "What", "From", "To", "Why", "By"], rows: history))
                """
            // Recorded once the page is read, before it is sent: the page's reads then share one snapshot, not
            // one before the audit commit and another after it, and a page that fails to read is not sent.
            try services.audit.record(actor: request.actor(session), action: .view, subjectType: "case", subjectID: String(id))
            return .html(Layout.page(title: "MAPPA case \(record.id)", session: session, currentPath: "/cases", content: content).rendered)
        })
    }

    /// The case's story in one list, newest first: referral steps, meetings, contacts with agencies and changes
    /// to the registration.
    static func timelineSection(_ session: Session, _ services: Services, caseID: Int64, contacts: [CaseContact],
                                changes: [CaseHistoryEntry]) throws -> HTML {
        var entries: [(date: String, what: String, detail: String)] = []
        for referralID in try services.casework.referralIDs(caseID: caseID) {
            for event in try services.casework.events(referralID: referralID) {
                entries.append((String(event.occurredAt.prefix(10)), "Referral \(String(format: "REF-%05lld", referralID)): \(event.event)", event.note))
            }
        }
        for meeting in try services.meetings.meetings(caseID: caseID) {
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
            ["\(CalendarDate(entry.date)?.displayText ?? entry.date)", "\(entry.what)", "\(entry.detail)"]
        }
        return Components.table(caption: "Timeline", headers: ["Date", "What", "Detail"], rows: Array(rows))
    }
}
