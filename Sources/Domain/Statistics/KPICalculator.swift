import Foundation

/// The indicator rules. `today` leaves out what cannot be judged yet (a review or minutes not yet due).
public enum KPICalculator {
    public static func result(_ indicator: KPIIndicator, settings: KPISettings, facts: KPIFacts, period: ReportingPeriod,
                              today: CalendarDate, timescales: Timescales) -> KPIResult {
        let items: [KPIItem]
        switch indicator {
        case .level3Reviews: items = reviews(facts.reviewCases, level: .three, timescales: timescales, period: period, today: today)
        case .level2Reviews: items = reviews(facts.reviewCases, level: .two, timescales: timescales, period: period, today: today)
        case .attendance: items = attendance(facts.discussions, period: period)
        case .custodyReferrals: items = custodyReferrals(facts.referrals, leadMonths: timescales.custodyReferralLeadMonths, period: period)
        case .victimIssues: items = minutesContent(facts.discussions, period: period, what: "victim issues") {
            !blank($0.victimIssues) || !blank($0.victimSafetyPlanning)
        }
        case .disclosure: items = minutesContent(facts.discussions, period: period, what: "the disclosure decision") {
            $0.disclosureConsidered && !blank($0.disclosureDecision)
        }
        case .minutesDistribution:
            items = minutesDistribution(facts.discussions, workingDays: timescales.minutesDistributionWorkingDays, period: period, today: today)
        case .actionsOnTime: items = actions(facts.actions, period: period, today: today)
        case .referralsReturned: items = referralsReturned(facts.referrals, period: period)
        case .screeningDays: items = screeningDays(facts.referrals, targetDays: settings.target, period: period)
        }
        return KPIResult(indicator: indicator, settings: settings, period: period,
                         items: items.sorted { ($0.date, $0.reference, $0.agency ?? "") < ($1.date, $1.reference, $1.agency ?? "") })
    }

    static func blank(_ text: String) -> Bool { text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }
    static func days(_ count: Int) -> String { "\(count) day\(count == 1 ? "" : "s")" }

    /// Each review falling due in the period. The review still to come falls due on the case's one stored review date
    /// (`ReviewSchedule`), the date the case page, agenda and home page show; earlier ones, whose dates are not kept,
    /// on the MAPPA start or the review before plus the level's interval (as does the one to come when no date is
    /// stored, or the stored one is not after the last review). Met when the next review was held on or before
    /// that date; late when held after it or still not held after it.
    static func reviews(_ cases: [ReviewCaseFacts], level: ManagementLevel, timescales: Timescales, period: ReportingPeriod,
                        today: CalendarDate) -> [KPIItem] {
        guard let weeks = timescales.reviewWeeks(for: level) else { return [] }
        var items: [KPIItem] = []
        for facts in cases where facts.level == level {
            let anchors = Array(Set([facts.startDate] + facts.reviews.filter { $0 >= facts.startDate })).sorted()
            for (index, anchor) in anchors.enumerated() {
                let next = index + 1 < anchors.count ? anchors[index + 1] : nil
                var due = anchor.adding(weeks: weeks)
                if next == nil, let stored = facts.nextReviewDate, stored > anchor { due = stored }
                guard period.contains(due) else { continue }
                if let exit = facts.exitDate, exit < due { continue }
                let item = { (counted: Bool, reason: String) in
                    KPIItem(caseID: facts.caseID, reference: facts.reference, leadAgency: facts.leadAgency, area: facts.area, date: due,
                            counted: counted, reason: reason)
                }
                if let next {
                    items.append(next <= due
                        ? item(true, "Reviewed on \(next.displayText); due by \(due.displayText)")
                        : item(false, "Reviewed on \(next.displayText), \(days(due.days(until: next))) after the \(weeks)-week interval"))
                } else if due < today {
                    items.append(item(false, next == nil && facts.nextReviewDate == due
                                       ? "Not reviewed by \(due.displayText), its review date"
                                       : "Not reviewed by \(due.displayText), the end of the \(weeks)-week interval"))
                }
            }
        }
        return items
    }

    /// Each expected agency at each case discussion of a held Level 2 or 3 meeting in the period.
    static func attendance(_ discussions: [KPIDiscussion], period: ReportingPeriod) -> [KPIItem] {
        discussions.filter { $0.counts && period.contains($0.meetingDate) }.flatMap { item in
            item.expectedAgencies.map { agency -> KPIItem in
                let status = item.discussion.attendance[agency]
                let counted = status == .attended || status == .reportSent
                return KPIItem(caseID: item.discussion.caseID, reference: item.discussion.label, leadAgency: item.discussion.leadAgency, area: item.area,
                               agency: agency, date: item.meetingDate, counted: counted,
                               reason: "\(item.meetingKind.displayName) on \(item.meetingDate.displayText): \(status?.displayName ?? "No attendance recorded")")
            }
        }
    }

    /// Custody referrals first submitted in the period with a release date: referred at least `leadMonths`
    /// before release (on or before the release date less the lead time).
    static func custodyReferrals(_ referrals: [KPIReferral], leadMonths: Int, period: ReportingPeriod) -> [KPIItem] {
        referrals.compactMap { referral in
            guard referral.inCustody, let release = referral.releaseDate, let submitted = referral.firstSubmitted,
                  period.contains(submitted) else { return nil }
            let latest = release.adding(months: -leadMonths)
            let counted = submitted <= latest
            let reason = "Submitted \(submitted.displayText), release \(release.displayText): "
                + (counted ? "on or before \(latest.displayText), \(leadMonths) months ahead" : "\(days(latest.days(until: submitted))) after \(latest.displayText), less than \(leadMonths) months ahead")
            return KPIItem(caseID: referral.caseID, reference: referral.reference, leadAgency: referral.leadAgency, area: referral.area, date: submitted,
                           counted: counted, reason: reason)
        }
    }

    /// Case discussions of held Level 2 and 3 meetings in the period whose approved minutes satisfy `recorded`.
    static func minutesContent(_ discussions: [KPIDiscussion], period: ReportingPeriod, what: String,
                               recorded: (MinutesContent) -> Bool) -> [KPIItem] {
        discussions.filter { $0.counts && period.contains($0.meetingDate) }.map { item in
            let reason: String
            let counted: Bool
            if let minutes = item.approvedMinutes {
                counted = recorded(minutes)
                reason = counted ? "The approved minutes record \(what)" : "The approved minutes do not record \(what)"
            } else {
                counted = false
                reason = "No approved minutes yet"
            }
            return KPIItem(caseID: item.discussion.caseID, reference: item.discussion.label, leadAgency: item.discussion.leadAgency, area: item.area,
                           date: item.meetingDate, counted: counted, reason: "\(item.meetingDate.displayText): \(reason)")
        }
    }

    /// Minutes of case discussions at held Level 2 and 3 meetings in the period, against the distribution
    /// deadline (`MinutesWorkflow.distributionDeadline`). Not yet distributed and not yet due: left out.
    static func minutesDistribution(_ discussions: [KPIDiscussion], workingDays: Int, period: ReportingPeriod,
                                    today: CalendarDate) -> [KPIItem] {
        discussions.filter { $0.counts && period.contains($0.meetingDate) }.compactMap { item in
            let (deadline, check) = MinutesWorkflow.distributionCheck(meetingDate: item.meetingDate, distributedOn: item.firstDistributed,
                                                                      workingDays: workingDays, today: today)
            let make = { (counted: Bool, reason: String) in
                KPIItem(caseID: item.discussion.caseID, reference: item.discussion.label, leadAgency: item.discussion.leadAgency, area: item.area,
                        date: item.meetingDate, counted: counted, reason: "Meeting \(item.meetingDate.displayText), deadline \(deadline.displayText): \(reason)")
            }
            switch check {
            case .onTime(let sent): return make(true, "distributed \(sent.displayText)")
            case .late(let sent, let late): return make(false, "distributed \(sent.displayText), \(days(late)) late")
            case .overdue: return make(false, "not distributed")
            case .notDue: return nil
            }
        }
    }

    /// Actions due in the period, not cancelled: done on or before the due date. Open and not yet due: left out.
    static func actions(_ actions: [KPIAction], period: ReportingPeriod, today: CalendarDate) -> [KPIItem] {
        actions.compactMap { action in
            guard period.contains(action.dueDate), action.status != .cancelled else { return nil }
            let make = { (counted: Bool, reason: String) in
                KPIItem(caseID: action.caseID, reference: action.reference, leadAgency: action.leadAgency, area: action.area, date: action.dueDate,
                        counted: counted, reason: "Due \(action.dueDate.displayText): \(reason)")
            }
            if action.status == .done {
                let completed = action.completedOn ?? action.dueDate.adding(days: 1)
                return completed <= action.dueDate ? make(true, "completed \(completed.displayText)")
                    : make(false, action.completedOn == nil ? "completed, date not recorded" : "completed \(completed.displayText), \(days(action.dueDate.days(until: completed))) late")
            }
            return action.dueDate < today ? make(false, "still open, \(days(action.dueDate.days(until: today))) overdue") : nil
        }
    }

    /// Referrals first submitted in the period; the numerator is those returned at least once (lower is better).
    static func referralsReturned(_ referrals: [KPIReferral], period: ReportingPeriod) -> [KPIItem] {
        referrals.compactMap { referral in
            guard let submitted = referral.firstSubmitted, period.contains(submitted) else { return nil }
            return KPIItem(caseID: referral.caseID, reference: referral.reference, leadAgency: referral.leadAgency, area: referral.area, date: submitted,
                           counted: referral.timesReturned > 0,
                           reason: "Submitted \(submitted.displayText): " + (referral.timesReturned == 0 ? "not returned"
                               : "returned \(referral.timesReturned == 1 ? "once" : "\(referral.timesReturned) times") as incomplete"))
        }
    }

    /// Referrals with a screening decision in the period: the days from first submission; the numerator is
    /// those decided within the target.
    static func screeningDays(_ referrals: [KPIReferral], targetDays: Double, period: ReportingPeriod) -> [KPIItem] {
        referrals.compactMap { referral in
            guard let decided = referral.decidedOn, period.contains(decided), let submitted = referral.firstSubmitted else { return nil }
            let taken = max(0, submitted.days(until: decided))
            return KPIItem(caseID: referral.caseID, reference: referral.reference, leadAgency: referral.leadAgency, area: referral.area, date: decided,
                           counted: Double(taken) <= targetDays,
                           reason: "Submitted \(submitted.displayText), decided \(decided.displayText): \(days(taken))", days: taken)
        }
    }
}

/// An indicator over the chosen period with what it is compared against: the period before, the same period a
/// year before, and a trend of recent periods (oldest first, ending with the current one).
public struct KPIBenchmark: Sendable, Equatable {
    public var current: KPIResult
    public var previous: KPIResult
    public var yearBefore: KPIResult
    public var trend: [KPIResult]
    public var indicator: KPIIndicator { current.indicator }

    /// The same benchmarks over the records whose case has this lead agency.
    public func forLeadAgency(_ code: String) -> KPIBenchmark { narrowed { $0.forLeadAgency(code) } }

    /// The same benchmarks over the records whose case is in this MAPPA area.
    public func forArea(_ code: String) -> KPIBenchmark { narrowed { $0.forArea(code) } }

    func narrowed(_ narrow: (KPIResult) -> KPIResult) -> KPIBenchmark {
        KPIBenchmark(current: narrow(current), previous: narrow(previous), yearBefore: narrow(yearBefore), trend: trend.map(narrow))
    }
}

extension KPICalculator {
    /// The indicator measured over `chosen` (or the reporting year containing it, for an indicator reported
    /// yearly), benchmarked period on period and year on year.
    public static func benchmark(_ indicator: KPIIndicator, settings: KPISettings, facts: KPIFacts, chosen: ReportingPeriod,
                                 trendLength: Int, today: CalendarDate, timescales: Timescales) -> KPIBenchmark {
        let period = chosen.measured(as: settings.period)
        let compute = { (period: ReportingPeriod) in
            result(indicator, settings: settings, facts: facts, period: period, today: today, timescales: timescales)
        }
        let trend = period.recent(trendLength).map(compute)
        return KPIBenchmark(current: trend.last!, previous: compute(period.previous), yearBefore: compute(period.yearBefore), trend: trend)
    }

    /// The first and last dates any of those benchmarks looks at, so the facts can be loaded once.
    public static func span(chosen: ReportingPeriod, kinds: [ReportingPeriod.Kind], trendLength: Int) -> (from: CalendarDate, through: CalendarDate) {
        let periods = Set(kinds).flatMap { kind -> [ReportingPeriod] in
            let period = chosen.measured(as: kind)
            return period.recent(trendLength) + [period.yearBefore]
        }
        return (periods.map(\.start).min() ?? chosen.start, periods.map(\.end).max() ?? chosen.end)
    }
}
