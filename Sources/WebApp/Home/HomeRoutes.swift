import Domain
import HTTPServer
import Store

/// The home page: each person's work queue (`WorkQueue`), by what their role does. Every list comes from a Store
/// query that takes the viewer, so a queue names only cases its reader may see; the page's view is audited.
enum HomeRoutes {
    static func register(_ router: inout Router, _ services: Services) {
        router.get("/", Access.require(services, .viewDashboard) { request, session in
            try home(request, session, services)
        })
    }

    /// How far ahead the queues look: reviews due and meetings coming up in the next fortnight.
    static let horizonDays = 14

    static func home(_ request: Request, _ session: Session, _ services: Services) throws -> Response {
        let user = session.user
        let viewer = request.viewer(session)
        var queue = WorkQueue()
        switch user.role {
        case .coordinator:
            try coordinatorWork(&queue, viewer, services)
        case .chair:
            try chairWork(&queue, viewer, services)
        case .referrer:
            try referrerWork(&queue, viewer, services)
        case .agencyRepresentative:
            try representativeWork(&queue, viewer, services)
        case .manager:
            try managerWork(&queue, viewer, services)
        case .administrator:
            try administratorWork(&queue, viewer, services)
        case .auditor:
            break
        }
        if user.role.can(.trackActions) && user.role != .agencyRepresentative {
            try ownActions(&queue, viewer, services)
        }
        try services.audit.record(actor: request.actor(session), action: .view, subjectType: "home", subjectID: String(user.id),
                                  detail: queue.sections.map { "\($0.id) \($0.count)" }.joined(separator: ", "))
        let unseen = try services.caseAccess.restrictedCasesNobodySees(for: viewer) ?? 0
        let restricted: HTML = unseen == 0 ? .empty : """
            <div class="notification" role="region" aria-labelledby="restricted-title">
              <h2 class="notification__title" id="restricted-title">Important</h2>
              <p class="notification__body">\(unseen) restricted case\(unseen == 1 ? "" : "s") nobody may see yet.
              <a href="/cases/restricted">Name who sees \(unseen == 1 ? "it" : "them")</a>.</p>
            </div>
            """
        let content: HTML = """
            <span class="caption">\(user.role.displayName), \(user.agencyName)</span>
            <h1>Welcome, \(user.displayName)</h1>
            \(restricted)
            \(queue.html)
            \(otherTasks(session))
            <h2>Your account</h2>
            <p><a href="/account">View your account</a> or <a href="/account/password">change your password</a>.</p>
            """
        return .html(Layout.page(title: "Home", session: session, currentPath: "/", content: content).rendered)
    }

    /// Pages the navigation does not list, for the people who use them.
    static func otherTasks(_ session: Session) -> HTML {
        let user = session.user
        var links: [(String, String)] = []
        if user.managesRestrictedCases && user.role.can(.editCases) { links.append(("/cases/restricted", "Restricted cases and who may see them")) }
        if user.role.can(.editCases) { links.append(("/cases/import", "Import the case register")) }
        if user.role.can(.configureStatistics) { links.append(("/statistics/kpis/settings", "Indicator names, targets and periods")) }
        if user.role.can(.manageUsers) { links.append(("/admin/timescales", "Review intervals and deadlines")) }
        if user.role.can(.viewAuditTrail) { links.append(("/audit/verify", "Check that no audit entry has been altered")) }
        guard !links.isEmpty else { return .empty }
        return """
            <h2>Other tasks</h2>
            <ul class="list">\(links.map { "<li><a href=\"\($0.0)\">\($0.1)</a></li>" as HTML })</ul>
            """
    }

    // MARK: - Each role's work

    static func coordinatorWork(_ queue: inout WorkQueue, _ viewer: Viewer, _ services: Services) throws {
        let today = services.today
        let referrals = try services.referrals.coordinatorQueues(for: viewer)
        func referralItems(_ list: ReferralQueue) -> [WorkQueue.Item] {
            list.first.map { referral in
                let waited = referral.submittedAt.flatMap { CalendarDate(String($0.prefix(10))) }.map { $0.days(until: today) } ?? 0
                return .init(label: label(referral), href: "/referrals/\(referral.id)",
                             detail: "\(referral.status.displayName) by \(referral.referrerName), \(referral.referringAgency)",
                             urgency: waited > 10 ? .overdue : .waiting, when: "Waiting \(waited) day\(waited == 1 ? "" : "s")")
            }
        }
        queue.add(.init(id: "referrals-to-check", title: "Referrals to check", count: referrals.toCheck.total,
                        items: referralItems(referrals.toCheck), all: ("/screening", "The screening queue"),
                        empty: "No referral is missing anything."))
        queue.add(.init(id: "referrals-ready", title: "Referrals ready for screening", count: referrals.readyForScreening.total,
                        items: referralItems(referrals.readyForScreening), all: ("/screening", "The screening queue")))
        try reviews(&queue, viewer, services, dueWithinDays: horizonDays, title: "Reviews overdue or due in \(horizonDays) days")
        try meetingsComingUp(&queue, viewer, services)
        try minutes(&queue, viewer, services, .sentBack, id: "minutes-sent-back", title: "Minutes sent back by the chair")
        let undistributed = try services.minutes.awaitingDistribution(for: viewer)
        queue.add(.init(id: "minutes-to-distribute", title: "Minutes approved, not yet distributed", count: undistributed.count,
                        items: undistributed.prefix(10).map { waiting in
                            .init(label: "\(waiting.minutes.nominalRef), \(waiting.minutes.meetingTitle)", href: "/meetings/\(waiting.minutes.meetingID)/items/\(waiting.minutes.itemID)/minutes",
                                  detail: "Meeting of \(waiting.minutes.meetingDate.displayText)", urgency: waiting.overdue ? .overdue : .dueSoon,
                                  when: waiting.overdue ? "Distribution was due \(waiting.deadline.displayText)" : "Distribute by \(waiting.deadline.displayText)")
                        }))
        let overdue = try services.actions.overdueQueue(for: viewer)
        queue.add(.init(id: "actions-overdue", title: "Open actions overdue across the unit", count: overdue.count,
                        items: overdue.items.map { actionItem($0, today) }, all: ("/actions/open?overdue=yes", "Every overdue action"),
                        empty: "No actions are overdue."))
        try failedMail(&queue, viewer, services, all: ("/meetings", "Meetings, with each invitation's status"))
    }

    static func chairWork(_ queue: inout WorkQueue, _ viewer: Viewer, _ services: Services) throws {
        try minutes(&queue, viewer, services, .submitted, id: "minutes-to-approve", title: "Minutes waiting for your approval",
                    chairedBy: viewer.user.id)
        let today = services.today
        let panels = try services.meetings.meetings(from: today, through: today.adding(days: 28), for: viewer)
            .filter { $0.chairUserID == viewer.user.id && $0.status == .scheduled }
        queue.add(.init(id: "panels-to-chair", title: "Panels you chair in the next 4 weeks", count: panels.count,
                        items: panels.prefix(10).map { meeting in
                            .init(label: meeting.title, href: "/meetings/\(meeting.id)", detail: "\(meeting.kind.displayName), \(meeting.startTime)",
                                  urgency: today.days(until: meeting.date) <= 7 ? .dueSoon : .waiting, when: meeting.date.displayText)
                        }, all: ("/meetings", "All meetings"), empty: "You chair no panel in the next 4 weeks."))
    }

    static func referrerWork(_ queue: inout WorkQueue, _ viewer: Viewer, _ services: Services) throws {
        let mine = try services.referrals.referrerQueues(for: viewer)
        let returnedTotal = try services.referrals.returnedReferrals(for: viewer, limit: 0).total
        queue.add(.init(id: "referrals-returned", title: "Referrals returned to you", count: returnedTotal,
                        items: mine.returned.map { referral, returned in
                            .init(label: label(referral), href: "/referrals/\(referral.id)",
                                  detail: "Returned by \(returned.returnedBy): " + returned.reasons.map(\.reason).joined(separator: "; "),
                                  urgency: .overdue, when: "Needs your changes")
                        }, all: ("/referrals", "All your referrals"), empty: "None of your referrals has been returned."))
        queue.add(.init(id: "referrals-waiting", title: "Referrals waiting for screening", count: mine.awaitingScreening.total,
                        items: mine.awaitingScreening.first.map { referral in
                            .init(label: label(referral), href: "/referrals/\(referral.id)", detail: referral.status.displayName)
                        }))
        queue.add(.init(id: "referrals-decided", title: "Referrals decided in the last 30 days", count: mine.decided.count,
                        items: mine.decided.map { referral in
                            .init(label: label(referral), href: "/referrals/\(referral.id)", detail: referral.status.displayName)
                        }, all: ("/referrals", "All your referrals"), empty: "No decisions in the last 30 days."))
    }

    static func representativeWork(_ queue: inout WorkQueue, _ viewer: Viewer, _ services: Services) throws {
        try ownActions(&queue, viewer, services)
        let today = services.today
        let invitations = try services.meetings.invitations(for: viewer).filter(\.upcoming)
        queue.add(.init(id: "meetings-invited", title: "Meetings you are invited to", count: invitations.count,
                        items: invitations.prefix(10).map { invitation in
                            let meeting = invitation.meeting
                            return .init(label: meeting.title, href: "/meetings/\(meeting.id)/reply",
                                         detail: invitation.reply.map { "Your agency replied: \($0.reply.response.displayName)" } ?? "Your agency has not replied yet",
                                         urgency: invitation.reply == nil ? (today.days(until: meeting.date) <= 7 ? .overdue : .dueSoon) : .waiting,
                                         when: "\(meeting.date.displayText), \(meeting.startTime)")
                        }, all: ("/meetings/invited", "All meetings you are invited to"), empty: "No meetings coming up."))
        let minutes = try services.minutes.readableMinutes(for: viewer, limit: 10)
        queue.add(.init(id: "minutes-to-read", title: "Minutes you may read", count: minutes.total,
                        items: minutes.items.map { minutes in
                            .init(label: "\(minutes.nominalRef), \(minutes.meetingTitle)", href: "/meetings/\(minutes.meetingID)/items/\(minutes.itemID)/minutes",
                                  detail: "Approved minutes of \(minutes.meetingDate.displayText)")
                        }, all: ("/minutes", "All minutes you may read"), empty: "No approved minutes of your agency's cases yet."))
        try agencyCases(&queue, viewer, services)
    }

    static func managerWork(_ queue: inout WorkQueue, _ viewer: Viewer, _ services: Services) throws {
        let period = ReportingPeriod.containing(services.today, kind: .quarter)
        let below = try services.kpis.benchmarks(chosen: period, trendLength: 1).map(\.current).filter { $0.met == false }
        queue.add(.init(id: "indicators-below-target", title: "Indicators below target this quarter", count: below.count,
                        items: below.map { result in
                            .init(label: result.settings.name, href: "/statistics/kpis/\(result.indicator.rawValue)?period=\(period.id)",
                                  detail: "\(result.valueText) against a target of \(result.settings.targetText(result.indicator.measure))", urgency: .overdue)
                        }, all: ("/statistics/kpis", "All indicators"), empty: "Every indicator with data meets its target."))
        try reviews(&queue, viewer, services, dueWithinDays: nil, title: "Reviews overdue")
    }

    static func administratorWork(_ queue: inout WorkQueue, _ viewer: Viewer, _ services: Services) throws {
        try failedMail(&queue, viewer, services, all: ("/admin/mail", "Mail settings and the outbox"))
    }

    // MARK: - Sections several roles share

    static func label(_ referral: ReferralRecord) -> String {
        "\(referral.reference): \(referral.form.fullName.isEmpty ? "(no name yet)" : referral.form.fullName)"
    }

    static func ownActions(_ queue: inout WorkQueue, _ viewer: Viewer, _ services: Services) throws {
        let open = try services.actions.openQueue(ownedBy: viewer)
        queue.add(.init(id: "your-actions", title: "Your open actions", count: open.count,
                        items: open.items.map { actionItem($0, services.today) }, all: ("/actions", "All your actions"),
                        empty: "You have no open actions."))
    }

    static func actionItem(_ listed: ListedAction, _ today: CalendarDate) -> WorkQueue.Item {
        let action = listed.action
        let days = today.days(until: action.dueDate)
        return .init(label: action.description, href: "/actions/\(action.id)",
                     detail: [listed.caseVisible ? action.nominalRef : "", "\(action.ownerName), \(action.ownerAgencyName)"]
                        .filter { !$0.isEmpty }.joined(separator: ": "),
                     urgency: listed.isOverdue ? .overdue : (days <= 7 ? .dueSoon : .waiting),
                     when: listed.isOverdue ? "Overdue, was due \(action.dueDate.displayText)" : "Due \(action.dueDate.displayText)")
    }

    /// Mail that could not be sent, for those who can do something about it, with the safe reason.
    static func failedMail(_ queue: inout WorkQueue, _ viewer: Viewer, _ services: Services, all: (href: String, text: String)) throws {
        let failed = try services.outbox.failedMail(limit: 5, for: viewer)
        queue.add(.init(id: "mail-failed", title: "Emails that could not be sent", count: failed.count,
                        items: failed.first.map { entry in
                            .init(label: entry.purpose.replacingOccurrences(of: "_", with: " ").capitalized + " to \(entry.recipientCount) recipient\(entry.recipientCount == 1 ? "" : "s")",
                                  href: entry.meetingID.map { "/meetings/\($0)" } ?? all.href,
                                  detail: entry.lastError.isEmpty ? "Not sent" : "Not sent: \(entry.lastError)", urgency: .overdue)
                        }, all: all, empty: "Every email has gone."))
    }

    /// The coordinator's and manager's reviews: those with no date set (due now), overdue ones, and, when
    /// `dueWithinDays` is given, those falling due in that many days; most overdue first.
    static func reviews(_ queue: inout WorkQueue, _ viewer: Viewer, _ services: Services, dueWithinDays: Int?, title: String) throws {
        let undated = try services.cases.undatedReviews(for: viewer, limit: 10)
        let overdue = try services.cases.overdueReviews(for: viewer, limit: 10)
        let soon = try dueWithinDays.map { try services.cases.reviewsDue(withinDays: $0, for: viewer, limit: 10) }
        let items = undated.cases.map { review -> WorkQueue.Item in
            .init(label: review.nominalRef, href: "/cases/\(review.caseID)", detail: review.level.shortName, urgency: .overdue,
                  when: ReviewSchedule(level: review.level, nextReviewDate: nil, today: services.today).text)
        } + (overdue.reviews + (soon?.reviews ?? [])).map { reviewItem($0, services.today) }
        queue.add(.init(id: "reviews", title: title, count: undated.total + overdue.total + (soon?.total ?? 0), items: Array(items.prefix(10)),
                        all: ("/cases", "The caseload, by next review"), empty: "No reviews are due."))
    }

    /// An agency representative's cases, by their next review.
    static func agencyCases(_ queue: inout WorkQueue, _ viewer: Viewer, _ services: Services) throws {
        let cases = try services.cases.reviews(dueFrom: nil, before: nil, for: viewer, limit: 10)
        queue.add(.init(id: "agency-cases", title: "Your agency's cases by next review", count: cases.total,
                        items: cases.reviews.map { reviewItem($0, services.today) }, all: ("/cases", "All your agency's cases"),
                        empty: "Your agency is not involved in any case under review."))
    }

    /// A review as the case page states it (`ReviewSchedule.text`), so both say the same.
    static func reviewItem(_ review: CaseStore.OverdueReview, _ today: CalendarDate) -> WorkQueue.Item {
        let schedule = ReviewSchedule(level: review.level, nextReviewDate: review.due, today: today)
        let urgency: WorkQueue.Urgency
        switch schedule.state {
        case .overdue, .notSet: urgency = .overdue
        case .dueIn(let days): urgency = days <= horizonDays ? .dueSoon : .waiting
        case .notApplicable: urgency = .waiting
        }
        return .init(label: review.nominalRef, href: "/cases/\(review.caseID)", detail: review.level.shortName, urgency: urgency,
                     when: schedule.text)
    }

    static func meetingsComingUp(_ queue: inout WorkQueue, _ viewer: Viewer, _ services: Services) throws {
        let today = services.today
        let upcoming = try services.meetings.readiness(from: today, through: today.adding(days: horizonDays), for: viewer)
        let lacking = upcoming.filter { !$0.readiness.gaps().isEmpty }
        queue.add(.init(id: "meetings-coming-up", title: "Meetings in the next \(horizonDays) days that lack something", count: lacking.count,
                        items: lacking.prefix(10).map { meeting, readiness in
                            .init(label: meeting.title, href: "/meetings/\(meeting.id)",
                                  detail: "Lacks: " + readiness.gaps().joined(separator: "; "),
                                  urgency: today.days(until: meeting.date) <= 5 ? .overdue : .dueSoon, when: meeting.date.displayText)
                        }, all: ("/meetings", "All meetings"),
                        empty: upcoming.isEmpty ? "No meetings in the next \(horizonDays) days." : "Every meeting in the next \(horizonDays) days is ready."))
    }

    static func minutes(_ queue: inout WorkQueue, _ viewer: Viewer, _ services: Services, _ status: MinutesStatus, id: String,
                        title: String, chairedBy chair: Int64? = nil) throws {
        let today = services.today
        let workingDays = try services.context.timescales().minutesDistributionWorkingDays
        let waiting = try services.minutes.waiting(in: status, for: viewer, chairedBy: chair)
        queue.add(.init(id: id, title: title, count: waiting.total,
                        items: waiting.minutes.map { minutes in
                            let deadline = MinutesWorkflow.distributionDeadline(meetingDate: minutes.meetingDate, workingDays: workingDays)
                            let late = deadline < today
                            return .init(label: "\(minutes.nominalRef), \(minutes.meetingTitle)", href: minutes.path,
                                         detail: status == .sentBack ? "Chair's comments: \(minutes.chairComments)" : "Meeting of \(minutes.meetingDate.displayText)",
                                         urgency: late ? .overdue : .dueSoon,
                                         when: late ? "Distribution was due \(deadline.displayText)" : "Distribute by \(deadline.displayText)")
                        }))
    }
}
