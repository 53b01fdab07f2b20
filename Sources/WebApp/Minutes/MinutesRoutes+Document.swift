import Domain
import Foundation
import Store

extension MinutesRoutes {
    /// The PDF: OFFICIAL-SENSITIVE and whose copy it is (`copyFor`, a name and agency) on every page, the handling
    /// conditions first, then the minutes.
    static func document(_ context: Discussion, _ minutes: MinutesRecord, _ services: Services, copyFor: String) throws -> PrintableDocument {
        let names = try services.agencies.namesByCode()
        let content = minutes.content
        let attendance = try services.minutes.attendance(of: context)
            .map { ["\($0.agencyName)", $0.person, $0.status.displayName] }
        var blocks: [PrintableBlock] = [
            .keyValues([PrintableKeyValue("Meeting", "\(context.meeting.kind.displayName): \(context.meeting.title)"),
                        PrintableKeyValue("Date", "\(context.meeting.date.displayText), \(context.meeting.startTime)"),
                        PrintableKeyValue("Chair", context.meeting.chairName.isEmpty ? "Not recorded" : context.meeting.chairName),
                        PrintableKeyValue("Case", "\(context.item.nominalName) (\(context.item.nominalRef))"),
                        PrintableKeyValue("Category and level", "\(context.item.category.shortName), \(context.item.level.shortName)"),
                        PrintableKeyValue("Discussion", context.item.reviewType == "initial" ? "Initial meeting" : "Review"),
                        PrintableKeyValue("Minutes version", "\(minutes.versionNumber) – \(minutes.status.displayName)"
                                          + (minutes.changeNote.isEmpty ? "" : "; changed because: \(minutes.changeNote)"))]),
            .heading("Attendance"),
            .table(headers: ["Agency", "Name", "Attendance"], rows: attendance),
            .paragraph("Confidentiality statement: \(context.item.confidentialityAcknowledged ? "read and acknowledged at the start of the discussion" : "not recorded as read")."),
            .heading("New information from agencies"),
        ]
        blocks += content.newInformation.isEmpty ? [.paragraph("None recorded.")]
            : [.keyValues(content.newInformation.map { PrintableKeyValue(names[$0.agency] ?? $0.agency, $0.text) })]
        blocks += [
            .heading("Risk assessment"), .paragraph(content.riskAssessment),
            .keyValues([PrintableKeyValue("Overall RoSH", content.rosh?.displayName ?? "Not recorded")]
                       + RiskGroup.allCases.map { PrintableKeyValue("RoSH to \($0.displayName.lowercased())", content.roshByGroup[$0]?.displayName ?? "–") }),
            .heading("Victims"), .paragraph(content.victimIssues),
            .heading("Diversity"), .paragraph(content.diversity.isEmpty ? "None recorded." : content.diversity),
            .heading("Disclosure"),
            .keyValues([PrintableKeyValue("Considered", content.disclosureConsidered ? "Yes" : "No"),
                        PrintableKeyValue("Decision", content.disclosureDecision), PrintableKeyValue("To whom", content.disclosureTo),
                        PrintableKeyValue("By whom", content.disclosureBy), PrintableKeyValue("Rationale", content.disclosureRationale)]),
            .heading("Risk management plan"),
            .keyValues(content.riskManagementPlanPillars.map { PrintableKeyValue($0.name, $0.text) }),
            .heading("Decisions"),
            .table(headers: ["Decision", "Rationale"], rows: content.decisions.map { [$0.decision, $0.rationale] }),
        ]
        if content.anyDisagreement { blocks.append(.paragraph("Dissent: \(content.dissent)")) }
        blocks += [
            .heading("Actions"),
            .table(headers: ["Action", "Owner", "Agency", "Due"],
                   rows: content.actions.map { [$0.description, $0.ownerName, names[$0.ownerAgency] ?? $0.ownerAgency, $0.dueDate?.displayText ?? "–"] }),
            .heading("Level and review"),
            .keyValues([PrintableKeyValue("Level decision", content.levelDecision?.description ?? "Not recorded"),
                        PrintableKeyValue("Category change", content.categoryDecision?.description ?? "None"),
                        PrintableKeyValue("Lead agency", names[content.leadAgency] ?? content.leadAgency),
                        PrintableKeyValue("Next review", content.nextReviewDate?.displayText ?? "Not set"),
                        PrintableKeyValue("Approved", minutes.approvedAt.map { "\(minutes.approvedBy), \(HumanTime.parse($0).map(HumanTime.day) ?? $0)" } ?? "Not yet approved")]),
        ]
        return PrintableDocument(title: "MAPPA minutes – \(context.item.nominalRef)",
                                 subtitle: "\(context.meeting.kind.displayName), \(context.meeting.date.displayText)",
                                 marking: Layout.marking, handlingConditions: handling, blocks: blocks, copyFor: copyFor)
    }
}
