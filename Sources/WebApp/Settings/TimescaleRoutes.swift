import Domain
import Foundation
import HTTPServer
import Store

/// The administrator's page for the unit's timescales: review intervals per level, the custody referral lead
/// time and the minutes distribution deadline. They apply at once, on every instance.
enum TimescaleRoutes {
    static let path = "/admin/timescales"

    static func register(_ router: inout Router, _ services: Services) {
        router.get(path, Access.require(services, .manageUsers) { request, session in
            page(request, session, values: values(try TimescaleSettings.load(services.database)), problems: [], status: 200)
        })
        router.post(path, Access.require(services, .manageUsers) { request, session in
            let form = try request.form()
            func number(_ name: String) -> Int { Int((form[name] ?? "").trimmingCharacters(in: .whitespaces)) ?? 0 }
            let timescales = Timescales(level3ReviewWeeks: number("level3_review_weeks"), level2ReviewWeeks: number("level2_review_weeks"),
                                        custodyReferralLeadMonths: number("custody_referral_lead_months"),
                                        minutesDistributionWorkingDays: number("minutes_distribution_working_days"))
            do {
                try TimescaleSettings.save(timescales, context: services.context, by: request.actor(session))
            } catch let failure as DomainError where failure.isValidation {
                return page(request, session, values: form.firstValues, problems: failure.problems, status: 422)
            }
            return .redirect(to: path + "?done=\(Flash.timescalesSaved.rawValue)")
        })
    }

    static func values(_ timescales: Timescales) -> [String: String] {
        ["level3_review_weeks": String(timescales.level3ReviewWeeks), "level2_review_weeks": String(timescales.level2ReviewWeeks),
         "custody_referral_lead_months": String(timescales.custodyReferralLeadMonths),
         "minutes_distribution_working_days": String(timescales.minutesDistributionWorkingDays)]
    }

    static func page(_ request: Request, _ session: Session, values: [String: String], problems: [ValidationProblem], status: Int) -> Response {
        let content: HTML = """
            \(Components.errorSummary(problems))
            \(Components.notification(Flash.from(request)?.message))
            <h1>Timescales</h1>
            <p>These come from the unit's MAPPA guidance and the Strategic Management Board's decisions. A change applies from
            now on to first review dates, agendas, compliance checks and minutes deadlines; dates already set are kept.</p>
            \(Components.form(action: path, csrf: session.csrfToken, """
                \(Components.textInput("level3_review_weeks", label: "Level 3 cases are reviewed at least every (weeks)", value: values["level3_review_weeks"] ?? "", hint: "Default 8", problems: problems, width: "4"))
                \(Components.textInput("level2_review_weeks", label: "Level 2 cases are reviewed at least every (weeks)", value: values["level2_review_weeks"] ?? "", hint: "Default 16", problems: problems, width: "4"))
                \(Components.textInput("custody_referral_lead_months", label: "Custody cases are referred at least this many months before release", value: values["custody_referral_lead_months"] ?? "", hint: "Default 6", problems: problems, width: "4"))
                \(Components.textInput("minutes_distribution_working_days", label: "Minutes are distributed within (working days of the meeting)", value: values["minutes_distribution_working_days"] ?? "", hint: "Default 10", problems: problems, width: "4"))
                \(Components.button("Save timescales"))
                """))
            """
        return .html(Layout.page(title: "Timescales", session: session, currentPath: path, hasErrors: !problems.isEmpty,
                                 content: content).rendered, status: status)
    }
}
