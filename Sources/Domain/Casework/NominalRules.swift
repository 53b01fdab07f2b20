import Foundation

/// The editable facts about a nominal (the offender), as the coordinator keeps them current.
public struct NominalDetails: Sendable, Equatable {
    public var familyName: String
    public var givenNames: String
    /// Other names and nicknames, one per entry.
    public var aliases: [String]
    public var dateOfBirth: CalendarDate?
    public var gender: String
    /// Ethnicity written out, not a code.
    public var ethnicity: String
    public var pncID: String
    public var visorReference: String
    public var crn: String
    public var currentAddress: String
    public var noFixedAbode: Bool
    /// With no fixed abode: the area of closest links.
    public var nfaArea: String
    public var proposedReleaseAddress: String
    public var custodyStatus: CustodyStatus
    public var releaseDate: CalendarDate?

    public init(familyName: String, givenNames: String, aliases: [String] = [], dateOfBirth: CalendarDate?,
                gender: String = "", ethnicity: String = "", pncID: String = "", visorReference: String = "",
                crn: String = "", currentAddress: String = "", noFixedAbode: Bool = false, nfaArea: String = "",
                proposedReleaseAddress: String = "", custodyStatus: CustodyStatus = .community, releaseDate: CalendarDate? = nil) {
        self.familyName = familyName
        self.givenNames = givenNames
        self.aliases = aliases
        self.dateOfBirth = dateOfBirth
        self.gender = gender
        self.ethnicity = ethnicity
        self.pncID = pncID
        self.visorReference = visorReference
        self.crn = crn
        self.currentAddress = currentAddress
        self.noFixedAbode = noFixedAbode
        self.nfaArea = nfaArea
        self.proposedReleaseAddress = proposedReleaseAddress
        self.custodyStatus = custodyStatus
        self.releaseDate = releaseDate
    }

    /// The details duplicate matching and search work on.
    public var person: PersonDetails {
        PersonDetails(familyName: familyName, givenNames: givenNames, aliases: aliases, dateOfBirth: dateOfBirth,
                      pncID: pncID, visorReference: visorReference, crn: crn)
    }
}

/// Checks on a nominal record: enough to identify the person, identifiers in the forms the national systems
/// issue, and addresses and custody facts that agree with each other.
public enum NominalRules {
    public static func problems(_ details: NominalDetails, today: CalendarDate) -> [ValidationProblem] {
        var problems: [ValidationProblem] = []
        func add(_ field: String, _ message: String) { problems.append(ValidationProblem(field: field, message: message)) }
        if details.familyName.trimmingCharacters(in: .whitespaces).isEmpty { add("family_name", "Enter the family name") }
        if details.givenNames.trimmingCharacters(in: .whitespaces).isEmpty { add("given_names", "Enter the given names") }
        if let dob = details.dateOfBirth {
            if dob > today { add("date_of_birth", "The date of birth must be in the past") }
            else if dob.adding(months: 12 * 10) > today {
                add("date_of_birth", "The date of birth makes the person younger than 10, the age of criminal responsibility")
            }
        } else {
            add("date_of_birth", "Enter the date of birth")
        }
        if !details.pncID.isEmpty && !isPNCID(details.pncID) {
            add("pnc_id", "Enter the PNC ID as year, slash, number and check letter, for example 2019/0123456X")
        }
        if !details.crn.isEmpty && !isCRN(details.crn) {
            add("crn", "Enter the nDelius CRN as a letter and six digits, for example X123456")
        }
        if details.noFixedAbode {
            if details.nfaArea.trimmingCharacters(in: .whitespaces).isEmpty {
                add("nfa_area", "With no fixed abode, enter the area the person has closest links to")
            }
        } else if details.custodyStatus == .community && details.currentAddress.trimmingCharacters(in: .whitespaces).isEmpty {
            add("current_address", "Enter the current address, or say the person has no fixed abode")
        }
        if details.custodyStatus == .community, let release = details.releaseDate, release > today {
            add("release_date", "A person in the community cannot have a release date in the future: check the custody status")
        }
        return problems
    }

    /// PNC IDs are issued as `YY/NNNNNNNL` or `YYYY/NNNNNNNL`: year, serial number, check letter.
    public static func isPNCID(_ text: String) -> Bool {
        let parts = text.uppercased().split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 2 || parts[0].count == 4, parts[0].allSatisfy(\.isASCIIDigit),
              let check = parts[1].last, check.isASCIIUppercaseLetter else { return false }
        let serial = parts[1].dropLast()
        return (1...7).contains(serial.count) && serial.allSatisfy(\.isASCIIDigit)
    }

    /// nDelius case reference numbers: one letter then six digits.
    public static func isCRN(_ text: String) -> Bool {
        let upper = text.uppercased()
        guard upper.count == 7, let first = upper.first, first.isASCIIUppercaseLetter else { return false }
        return upper.dropFirst().allSatisfy(\.isASCIIDigit)
    }

    /// Aliases as entered, one per line or separated by semicolons, trimmed, blanks and repeats dropped.
    public static func aliases(from text: String) -> [String] {
        var seen = Set<String>()
        return text.split(whereSeparator: { $0.isNewline || $0 == ";" })
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && seen.insert($0.lowercased()).inserted }
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
    var isASCIIUppercaseLetter: Bool { isASCII && isUppercase }
}
