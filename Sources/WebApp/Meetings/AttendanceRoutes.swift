import Domain
import Foundation
import HTTPServer
import Store

/// A meeting's attendance, for the whole meeting and each case discussion the coordinator may see, with which
/// discussions opened with the confidentiality statement: what the compliance checks read.
enum AttendanceRoutes {
    static func register(_ router: inout Router, _ services: Services) {
        router.get("/meetings/:id/attendance", Access.require(services, .manageMeetings) { request, session in
            let meeting = try MeetingRoutes.load(request, session, services)
            try services.audit.record(actor: request.actor(session), action: .view, subjectType: "meeting", subjectID: String(meeting.id), detail: "attendance")
            return try page(request, session, services, meeting)
        })
        router.post("/meetings/:id/attendance", Access.require(services, .manageMeetings) { request, session in
            let meeting = try MeetingRoutes.load(request, session, services)
            let form = try request.form()
            let viewer = request.viewer(session)
            let agenda = try services.meetings.agenda(of: meeting, for: viewer)
            let agencies = try agenciesToRecord(services, meeting, agenda, recorded: try services.meetings.attendance(of: agenda))
            let items = agenda.items
            var records: [AttendanceRecord] = []
            for agency in agencies {
                if let status = form["status-\(agency.id)"].flatMap(AttendanceStatus.init(rawValue:)) {
                    records.append(AttendanceRecord(itemID: nil, agencyID: agency.id, person: form["person-\(agency.id)"] ?? "", status: status))
                }
                for item in items {
                    if let status = form["status-\(agency.id)-\(item.id)"].flatMap(AttendanceStatus.init(rawValue:)) {
                        records.append(AttendanceRecord(itemID: item.id, agencyID: agency.id, person: form["person-\(agency.id)"] ?? "", status: status))
                    }
                }
            }
            let acknowledged = form["confidentiality_all"] == "yes"
                ? Set(items.map(\.id)) : Set(form.values("confidentiality").compactMap(Int64.init))
            try services.meetings.recordAttendance(meeting, records, acknowledgedItemIDs: acknowledged, by: viewer)
            return .redirect(to: "/meetings/\(meeting.id)?done=\(Flash.attendanceSaved.rawValue)#compliance")
        })
    }

    /// The agencies to record attendance for: those invited, those already recorded, and the core agencies of
    /// each case on the agenda.
    static func agenciesToRecord(_ services: Services, _ meeting: Meeting, _ agenda: Agenda, recorded: [AttendanceRecord]) throws -> [Agency] {
        var ids = Set(try services.meetings.invitees(of: meeting).map(\.agencyID))
        ids.formUnion(recorded.map(\.agencyID))
        ids.formUnion(try services.meetings.proposedInvitees(for: agenda).map(\.agency.id))
        let core = Set(["police", "probation"])
        return try services.agencies.agencies().filter { ids.contains($0.id) || core.contains($0.code) }
    }

    static func page(_ request: Request, _ session: Session, _ services: Services, _ meeting: Meeting) throws -> Response {
        let viewer = request.viewer(session)
        let agenda = try services.meetings.agenda(of: meeting, for: viewer)
        let items = agenda.items
        let records = try services.meetings.attendance(of: agenda)
        let agencies = try agenciesToRecord(services, meeting, agenda, recorded: records)
        let options = AttendanceStatus.allCases.map { ($0.rawValue, $0.displayName) }
        let wholeRows = agencies.map { agency -> [HTML] in
            let record = records.first { $0.agencyID == agency.id && $0.itemID == nil }
            return ["\(agency.name)",
                    Components.select("status-\(agency.id)", label: "\(agency.name): whole meeting", options: options, selected: record?.status.rawValue ?? ""),
                    Components.textInput("person-\(agency.id)", label: "\(agency.name): who", value: record?.person ?? "")]
        }
        let itemSections = items.map { item -> HTML in
            let rows = agencies.map { agency -> [HTML] in
                let record = records.first { $0.agencyID == agency.id && $0.itemID == item.id }
                return ["\(agency.name)", Components.select("status-\(agency.id)-\(item.id)", label: "\(agency.name) for \(item.nominalRef)",
                                                            options: options, selected: record?.status.rawValue ?? "")]
            }
            return """
                <h3>\(item.position). \(item.nominalRef) (\(item.level.shortName), lead: \(item.leadAgencyName))</h3>
                \(Components.checkbox("confidentiality", label: "Confidentiality statement read or acknowledged for this case", checked: item.confidentialityAcknowledged, value: String(item.id)))
                <details class="details"><summary>Attendance different for this case</summary>
                \(Components.table(caption: "Only where it differs from the whole meeting", headers: ["Agency", "Attendance"], rows: rows))
                </details>
                """
        }
        let content: HTML = """
            <span class="caption">\(meeting.title), \(meeting.date.displayText)</span>
            <h1>Record attendance</h1>
            \(Components.form(action: "/meetings/\(meeting.id)/attendance", csrf: session.csrfToken, """
                <h2>Whole meeting</h2>
                \(Components.table(caption: "Attendance by agency", headers: ["Agency", "Attendance", "Name"], rows: wholeRows))
                \(Components.checkbox("confidentiality_all", label: "The confidentiality and diversity statement was read at the start, for every case", checked: false))
                <h2>Case discussions</h2>
                \(itemSections)
                \(Components.button("Save attendance"))
                """))
            <p><a href="/meetings/\(meeting.id)">Back to the meeting</a></p>
            """
        return .html(Layout.page(title: "Record attendance", session: session, currentPath: "/meetings", content: content).rendered)
    }
}
