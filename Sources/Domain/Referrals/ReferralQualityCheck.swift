/// Quality assurance of a MAPPA A referral before screening (domain.md §4.3, §5; SCOT guidance on incomplete
/// referrals delaying meetings). Each rule gives one finding that tells the referrer what to add or fix, grouped
/// by the section of the form it belongs to.
public struct ReferralQualityCheck: Sendable {
    public var timescales: Timescales
    /// Offence details longer than this read as pasted from a report rather than summarised.
    public var offenceDetailsLimit: Int

    public init(timescales: Timescales = Timescales(), offenceDetailsLimit: Int = 2500) {
        self.timescales = timescales
        self.offenceDetailsLimit = offenceDetailsLimit
    }

    /// True when nothing blocks screening: warnings may remain for the coordinator to weigh.
    public static func isReadyForScreening(_ findings: [QualityFinding]) -> Bool {
        !findings.contains { $0.kind != .warning }
    }

    public func findings(_ form: ReferralForm, today: CalendarDate) -> [QualityFinding] {
        var found: [QualityFinding] = []
        func add(_ section: ReferralSection, _ field: String, _ kind: QualityFinding.Kind, _ message: String) {
            found.append(QualityFinding(section, field, kind, message))
        }
        func blank(_ text: String) -> Bool { text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }

        // Header
        switch form.levelRequested {
        case .none, .unknown?:
            add(.header, "level_requested", .missing, "Say whether you are referring for Level 2 or Level 3 management")
        case .one?:
            add(.header, "level_requested", .inconsistent,
                "A MAPPA referral is for Level 2 or Level 3: Level 1 cases are managed by the lead agency without a referral")
        default: break
        }

        // 1. Category
        if form.category == nil {
            add(.category, "category", .missing, "Select the offender's MAPPA category (one only)")
        }

        // 2. Offender
        if blank(form.familyName) { add(.offender, "family_name", .missing, "Enter the offender's family name") }
        if blank(form.givenNames) { add(.offender, "given_names", .missing, "Enter the offender's given names") }
        if let dateOfBirth = form.dateOfBirth {
            if dateOfBirth > today {
                add(.offender, "date_of_birth", .inconsistent, "Date of birth must be in the past")
            } else if dateOfBirth.adding(months: 110 * 12) < today {
                add(.offender, "date_of_birth", .inconsistent, "Check the date of birth: it makes the offender over 110")
            }
        } else {
            add(.offender, "date_of_birth", .missing, "Enter the offender's date of birth")
        }
        if blank(form.ethnicity) {
            add(.offender, "ethnicity", .missing, "Write out the offender's ethnicity (not a code)")
        }
        if form.noFixedAbode {
            if blank(form.nfaArea) {
                add(.offender, "nfa_area", .missing, "The offender has no fixed abode: name the area they have closest links to")
            }
        } else if blank(form.currentAddress) {
            add(.offender, "current_address", .missing, "Enter the current address, or say the offender has no fixed abode")
        }
        if blank(form.pncID) && blank(form.visorReference) && blank(form.crn) {
            add(.offender, "pnc_id", .warning,
                "No PNC ID, ViSOR reference or nDelius CRN given: add any that exist so the person can be matched reliably")
        }
        switch form.custodyStatus {
        case .none:
            add(.offender, "custody_status", .missing, "Say whether the offender is in the community, in custody or in hospital")
        case .custody?, .hospital?:
            let place = form.custodyStatus == .custody ? "custody" : "hospital"
            if let release = form.releaseDate {
                if release < today {
                    add(.offender, "release_date", .inconsistent,
                        "The release date has passed but the offender is recorded as in \(place): correct one or the other")
                } else {
                    let leadTime = today.adding(months: timescales.custodyReferralLeadMonths)
                    if release < leadTime {
                        add(.offender, "release_date", .warning,
                            "This referral is late: release is in \(today.days(until: release)) days, and referrals should be made at least \(timescales.custodyReferralLeadMonths) months before release")
                    }
                    if blank(form.proposedReleaseAddress) {
                        add(.offender, "proposed_release_address", release < leadTime ? .missing : .warning,
                            "Enter the proposed or approved release address")
                    }
                }
            } else {
                add(.offender, "release_date", .missing, "Enter the expected release date: the offender is in \(place)")
            }
            if form.custodyStatus == .hospital, blank(form.hospitalDetails) {
                add(.hospital, "hospital_details", .missing,
                    "The offender is detained in hospital: mental health services should complete section 5")
            }
        case .community?:
            break
        }

        // 3. Conviction or caution
        if blank(form.indexOffences) {
            add(.conviction, "index_offences", .missing,
                "Enter the index offence(s), or the caution for Category 3, that brought the offender into MAPPA")
        }
        if form.indexIsCaution {
            if let category = form.category, category != .three {
                add(.conviction, "index_is_caution", .inconsistent,
                    "Only Category 3 can rest on a caution: check the category or the index matter")
            }
        } else if blank(form.sentence) {
            add(.conviction, "sentence", .missing, "Enter the sentence length and type")
        }
        let details = form.offenceDetails.trimmingCharacters(in: .whitespacesAndNewlines)
        if details.isEmpty {
            add(.conviction, "offence_details", .missing, "Give brief details of the offence in bullet points")
        } else if details.count > offenceDetailsLimit || (details.count > 600 && !details.contains("\n")) {
            add(.conviction, "offence_details", .warning,
                "Summarise the offence in short bullet points rather than pasting from a report")
        }

        // 4. Relevant dates
        if form.category == .one, form.notificationEndDate == nil {
            add(.dates, "notification_end_date", .warning,
                "Category 1: enter when the notification requirements end (or that they are indefinite) so exit can be planned")
        }
        if form.category == .two, form.licenceEndDate == nil, form.custodyStatus == .community {
            add(.dates, "licence_end_date", .warning,
                "Category 2: enter when the licence or hospital order ends so exit can be planned")
        }

        // 6. Reason for referral
        if blank(form.reasonForReferral) {
            add(.reason, "reason_for_referral", .missing,
                "Explain why you are referring: concerns about behaviour and attitudes, patterns of offending, information from other agencies")
        }

        // 7. Risk, victims and plan
        if form.roshOverall == nil {
            add(.risk, "rosh_overall", .missing, "Give the current overall risk of serious harm (RoSH) level")
        }
        if blank(form.multiAgencyValue) {
            if form.levelRequested == .two, let rosh = form.roshOverall, !rosh.isHighOrVeryHigh {
                add(.risk, "multi_agency_value", .inconsistent,
                    "Level 2 normally needs a high or very high RoSH: explain the exceptional need for other agencies to be actively involved")
            } else {
                add(.risk, "multi_agency_value", .missing,
                    "Explain what formal multi-agency meetings would add to the lead agency's management of the risk")
            }
        }
        if form.levelRequested == .three, blank(form.whyLevel2IsNotEnough) {
            add(.risk, "why_level2_is_not_enough", .missing,
                "A Level 3 referral must say which parts of the risk management plan cannot be delivered at Level 2")
        }
        if form.category == .three, form.levelRequested == .one {
            add(.category, "category", .inconsistent, "Category 3 offenders are managed only at Level 2 or Level 3")
        }
        if blank(form.victimInformation) {
            add(.risk, "victim_information", .missing,
                "Describe known and potential victims and any victim contact arrangements, or say there are none")
        }
        if blank(form.diversityNeeds) {
            add(.risk, "diversity_needs", .missing, "Describe any diversity or equality needs, or say there are none")
        }
        if blank(form.currentRiskManagementPlan) {
            add(.risk, "current_risk_management_plan", .missing, "Summarise the current risk management plan")
        }
        if blank(form.leadAgency) {
            add(.risk, "lead_agency", .missing, "Select the lead agency")
        }

        // 8. Authorisation
        if blank(form.managerAuthorisedBy) || form.managerAuthorisedOn == nil {
            add(.authorisation, "manager_authorised_by", .missing,
                "A manager in the referring agency must authorise the referral: give their name and the date")
        }
        return found.enumerated().sorted { ($0.element.section, $0.offset) < ($1.element.section, $1.offset) }.map(\.element)
    }
}
