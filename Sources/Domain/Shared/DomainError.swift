/// The one error the app's rules and records raise. Its kind decides how it is answered (a status and a page, or an
/// RFC 9457 problem: WebApp's `ErrorMapping`, and nowhere else); its description is safe to show a person or write
/// to a log: it never holds personal data or how the server failed.
public struct DomainError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// What was entered breaks a rule; each problem names its field, so a form can show them all at once.
        case validation([ValidationProblem])
        /// A request that cannot be read, such as a parameter of the wrong form.
        case badRequest
        /// No such record, or one the person may not learn exists.
        case notFound
        /// The person's role may see records of this kind but not this one: need-to-know. Said plainly.
        case needToKnow
        /// The person's role does not allow this.
        case roleRefused
        /// The record changed since it was read, or its state no longer allows this.
        case conflict
        /// Something the service depends on does not answer.
        case unavailable
    }

    public var kind: Kind
    /// A short, stable code for logs and API clients: "edit_conflict", "need_to_know".
    public var code: String
    public var description: String

    public init(_ kind: Kind, code: String, _ description: String) {
        self.kind = kind
        self.code = code
        self.description = description
    }

    /// Every problem with what was entered.
    public static func validation(_ problems: [ValidationProblem]) -> DomainError {
        DomainError(.validation(problems), code: "invalid_request",
                    "The request has problems: " + problems.map(\.message).joined(separator: ". "))
    }

    /// One problem with one field; `code` for one a client may want to tell apart.
    public static func validation(field: String, _ message: String, code: String = "invalid_request") -> DomainError {
        var error = validation([ValidationProblem(field: field, message: message)])
        error.code = code
        return error
    }

    /// `what` names the kind of record, never the record: "The referral".
    public static func notFound(_ what: String) -> DomainError {
        DomainError(.notFound, code: "not_found", "\(what) was not found")
    }

    public static func badRequest(_ description: String, code: String = "bad_request") -> DomainError {
        DomainError(.badRequest, code: code, description)
    }

    /// A state the record is in that does not allow the change ("already submitted"): nothing was saved.
    public static func conflict(_ code: String, _ description: String) -> DomainError {
        DomainError(.conflict, code: code, description)
    }

    /// Someone else changed the record since it was loaded: nothing was saved.
    public static let editConflict = DomainError(.conflict, code: "edit_conflict",
        "Someone else changed this record while you were editing it. Nothing was saved: check the current details and make your change again.")

    /// A need-to-know refusal of a case (or a person's record): it says so, and that it was recorded.
    public static func needToKnow(_ subject: NeedToKnowSubject) -> DomainError {
        DomainError(.needToKnow, code: "need_to_know", subject.refusal)
    }

    public static func roleRefused(_ description: String = "Your role does not allow this. If you need it for your work, ask your MAPPA unit administrator. This refusal has been recorded.") -> DomainError {
        DomainError(.roleRefused, code: "forbidden", description)
    }

    /// The problems of a validation error; empty for any other kind.
    public var problems: [ValidationProblem] {
        if case .validation(let problems) = kind { return problems }
        return []
    }

    public var isValidation: Bool { if case .validation = kind { return true } else { return false } }
}

/// What a need-to-know refusal is about, for the words the person reads.
public enum NeedToKnowSubject: Sendable, Equatable {
    case mappaCase
    case person
    case restrictedCaseAccess

    var refusal: String {
        switch self {
        case .mappaCase:
            return "You do not have access to this case. Access to MAPPA cases is on a need-to-know basis; if you need it for your work, ask the MAPPA coordinator. This refusal has been recorded."
        case .person:
            return "You do not have access to this person's record. Access is on a need-to-know basis; if you need it for your work, ask the MAPPA coordinator. This refusal has been recorded."
        case .restrictedCaseAccess:
            return "You cannot change who sees this case. It is restricted, and access is on a need-to-know basis: the people on its access list and the coordinators who manage restricted cases can. This refusal has been recorded."
        }
    }
}
