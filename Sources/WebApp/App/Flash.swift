import Domain
import Foundation
import HTTPServer
import Store

/// Names of the cookies the app sets. Both are HttpOnly and SameSite=Strict.
enum CookieName {
    static let session = "mappa_session"
    /// Double-submit token for the sign-in form, which has no session yet.
    static let loginCSRF = "mappa_login_csrf"
    /// The key of a message to show once on the next page (`Flash.redirect`).
    static let flash = "mappa_flash"
}

/// Fixed messages shown after a redirect, chosen by a short key in the query string so no user data travels in
/// URLs.
enum Flash: String {
    case userCreated = "user-created"
    case passwordReset = "password-reset"
    case passwordChanged = "password-changed"
    case userDisabled = "user-disabled"
    case userEnabled = "user-enabled"
    case userUpdated = "user-updated"
    case referralSaved = "referral-saved"
    case referralSectionSaved = "referral-section-saved"
    case referralSubmitted = "referral-submitted"
    case referralReturned = "referral-returned"
    case referralScreened = "referral-screened"
    case nominalSaved = "nominal-saved"
    case caseSaved = "case-saved"
    case caseCreated = "case-created"
    case caseCreatedRestricted = "case-created-restricted"
    case accessChanged = "access-changed"
    case registerImported = "register-imported"
    case meetingScheduled = "meeting-scheduled"
    case meetingChanged = "meeting-changed"
    case meetingCancelled = "meeting-cancelled"
    case meetingHeld = "meeting-held"
    case agendaChanged = "agenda-changed"
    case inviteesChanged = "invitees-changed"
    case attendanceSaved = "attendance-saved"
    case invitationsQueued = "invitations-queued"
    case nothingToSend = "nothing-to-send"
    case minutesSaved = "minutes-saved"
    case minutesSubmitted = "minutes-submitted"
    case minutesApproved = "minutes-approved"
    case minutesSentBack = "minutes-sent-back"
    case minutesDistributed = "minutes-distributed"
    case minutesAmended = "minutes-amended"
    case minutesDistributionRecorded = "minutes-distribution-recorded"
    case invitationReplied = "invitation-replied"
    case invitationsWaitingForMail = "invitations-waiting-for-mail"
    case timescalesSaved = "timescales-saved"
    case kpisSaved = "kpis-saved"
    case actionSaved = "action-saved"
    case contactSaved = "contact-saved"
    case contactLogged = "contact-logged"
    case agencyChanged = "agency-changed"
    case signedOut = "signed-out"
    case apiTokenRevoked = "api-token-revoked"
    case sessionExpired = "session-expired"
    case populationSaved = "population-saved"
    case eventRecorded = "event-recorded"
    case areaAdded = "area-added"
    case areaSaved = "area-saved"

    var message: String {
        switch self {
        case .userCreated: return "User account created. Give the person their temporary password securely; they must change it when they first sign in."
        case .passwordReset: return "Password reset. The user must change it when they next sign in. All their sessions were signed out and their API tokens revoked."
        case .passwordChanged: return "Your password has been changed. Your other sessions and your API tokens were signed out and revoked."
        case .userDisabled: return "User account disabled. All their sessions have been ended."
        case .userEnabled: return "User account enabled."
        case .userUpdated: return "User details saved."
        case .referralSaved: return "Referral saved as a draft. It has not been sent yet."
        case .referralSectionSaved: return "Section saved. The referral is a draft until you submit it from Check your answers."
        case .referralSubmitted: return "Referral submitted to the MAPPA coordinator. Anything the quality check found is listed below."
        case .referralReturned: return "Referral returned to the referrer with your reasons."
        case .referralScreened: return "Screening decision recorded."
        case .nominalSaved: return "Nominal record saved."
        case .caseCreated: return "Case recorded. The person and their case are on record; the case is in the caseload from now on."
        case .caseCreatedRestricted: return "Case recorded. It is Category 4, so it is restricted: only the people on its access list see it, and you are on it. A coordinator who manages restricted cases names anyone else who needs to see it."
        case .caseSaved: return "Case saved. Any change of category, level, risk or status is in the history below."
        case .accessChanged: return "Access list saved."
        case .registerImported: return "Case register imported."
        case .meetingScheduled: return "Meeting scheduled. Build the agenda below, then confirm the invitations."
        case .meetingChanged: return "Meeting saved. Invitees due an update are marked below."
        case .meetingCancelled: return "Meeting cancelled. Invitees already invited are due a cancellation notice with your reason: send it below."
        case .meetingHeld: return "Meeting marked as held. Each case on the agenda counts as reviewed; its next review date is set when the chair approves its minutes."
        case .agendaChanged: return "Agenda saved."
        case .inviteesChanged: return "Invitees saved."
        case .attendanceSaved: return "Attendance saved. The compliance checks below use it."
        case .invitationsQueued: return "Invitations queued. They are sent within a minute; if the mail server is unavailable they wait and are retried, and their status is shown below."
        case .nothingToSend: return "Everyone has the current invitation: nothing to send."
        case .minutesSaved: return "Minutes saved as a draft."
        case .minutesSubmitted: return "Minutes sent to the chair for approval."
        case .minutesApproved: return "Minutes approved. The case now shows the level decision and the next review date."
        case .minutesSentBack: return "Minutes sent back to the coordinator with your comments."
        case .minutesDistributed: return "Minutes distributed: the PDF is queued by email to the people entitled to it."
        case .minutesDistributionRecorded: return "Distribution recorded. The minutes count as distributed on the date you gave."
        case .invitationsWaitingForMail: return "Invitations queued, but email is not set up: nothing will be sent until an administrator enters the mail server settings. Their status is shown below."
        case .invitationReplied: return "Reply saved. The coordinator sees it on the meeting's invitee list."
        case .minutesAmended: return "A new version of the minutes was started from the approved text."
        case .timescalesSaved: return "Timescales saved. They apply from now on."
        case .kpisSaved: return "Performance indicators saved. Every period is now measured against them."
        case .actionSaved: return "Action saved."
        case .contactSaved: return "Contact saved."
        case .contactLogged: return "Contact added to the case's log."
        case .agencyChanged: return "Agency saved."
        case .signedOut: return "You have signed out."
        case .apiTokenRevoked: return "API token revoked. Anything still using it is refused from now on."
        case .populationSaved: return "Area population saved. The rate per 100,000 below uses it."
        case .eventRecorded: return "Event recorded. The annual report counts it in the year of its date."
        case .areaAdded: return "Area added. Cases can now be put in it, on the case or with the register file's mappa_area column."
        case .areaSaved: return "Area saved."
        case .sessionExpired: return "You were signed out because you had not done anything for a while, or your session reached its time limit. Sign in again to continue."
        }
    }

    /// The message to show once: named in the query string (`?done=`), or in the one-time cookie a redirect set
    /// (`redirect(to:_:)`), which the next page clears.
    static func from(_ request: Request) -> Flash? {
        (request.queryValue("done") ?? request.cookies[CookieName.flash]).flatMap(Flash.init(rawValue:))
    }

    /// A 303 to `path` whose page shows this message once: the message travels in a short-lived cookie rather than the
    /// address, so reloading the page (or coming back to it) does not show it again, as if the form had been sent twice.
    static func redirect(to path: String, _ flash: Flash, _ services: Services) -> Response {
        var response = Response.redirect(to: path)
        response.setCookie(Access.cookie(CookieName.flash, flash.rawValue, services, maxAge: 60))
        return response
    }
}

extension Request {
    /// Who is making the request, for the audit trail.
    func actor(_ session: Session?) -> Actor {
        Actor(userID: session?.user.id, username: session?.user.username ?? "(anonymous)", clientAddress: remoteAddress)
    }

    var isStateChanging: Bool { !["GET", "HEAD", "OPTIONS"].contains(method) }
}

/// A path the app may redirect to after sign-in: local only, so the login form cannot bounce people to
/// another site.
/// Only a path on this service: exactly one leading `/`, then neither `/` nor `\\` (which browsers read as another
/// host), and no control character anywhere (browsers drop tabs and line breaks, so `/\t/evil.example` would become
/// `//evil.example`). Anything else, and `/logout`, is `/`. `candidate` is already percent-decoded.
func safeLocalPath(_ candidate: String?) -> String {
    guard let candidate, candidate.hasPrefix("/"), candidate != "/logout",
          !TextRules.hasControlCharacters(candidate, allowingLineBreaks: false) else { return "/" }
    let second = candidate.unicodeScalars.dropFirst().first
    guard second != "/", second != "\\" else { return "/" }
    return candidate
}
