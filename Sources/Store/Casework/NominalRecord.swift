import Database
import Domain
import Foundation

/// A nominal (the person a MAPPA case is about) as the nominal page and its edit form show them: the editable facts
/// (`NominalDetails`, read through as `record.familyName`) with the record's reference and version.
@dynamicMemberLookup
public struct NominalRecord: Sendable, Equatable, RowDecodable {
    public var id: Int64
    public var nominalRef: String
    /// The editable facts, as the edit form and `NominalRules` take them.
    public var details: NominalDetails
    public var version: Int64

    public subscript<T>(dynamicMember fact: KeyPath<NominalDetails, T>) -> T { details[keyPath: fact] }

    public var fullName: String { NominalListing.fullName(givenNames: details.givenNames, familyName: details.familyName) }
    /// The record as a list of search results shows it.
    public var listing: NominalListing {
        NominalListing(id: id, nominalRef: nominalRef, familyName: details.familyName, givenNames: details.givenNames,
                       aliases: details.aliases, dateOfBirth: details.dateOfBirth, pncID: details.pncID)
    }
    public var person: PersonDetails { details.person }

    public static let columns = """
        nominals.id, nominals.nominal_ref, nominals.family_name, nominals.given_names, nominals.alias_list,
        nominals.date_of_birth, nominals.gender, nominals.ethnicity, nominals.pnc_id, nominals.visor_ref, nominals.crn,
        nominals.current_address, nominals.no_fixed_abode, nominals.nfa_area, nominals.proposed_release_address,
        nominals.custody_status, nominals.release_date, nominals.version
        """

    public init(row: inout RowReader) throws(DatabaseError) {
        id = try row.decode("id")
        nominalRef = try row.decode("nominal_ref")
        details = NominalDetails(
            familyName: try row.decode("family_name"), givenNames: try row.decode("given_names"),
            aliases: AliasList.decode(try row.decode("alias_list")), dateOfBirth: try row.decodeIfPresent("date_of_birth"),
            gender: try row.decode("gender"), ethnicity: try row.decode("ethnicity"), pncID: try row.decode("pnc_id"),
            visorReference: try row.decode("visor_ref"), crn: try row.decode("crn"), currentAddress: try row.decode("current_address"),
            noFixedAbode: try row.decode("no_fixed_abode"), nfaArea: try row.decode("nfa_area"),
            proposedReleaseAddress: try row.decode("proposed_release_address"), custodyStatus: try row.decode("custody_status"),
            releaseDate: try row.decodeIfPresent("release_date"))
        version = try row.decode("version")
    }
}

/// A nominal as a list of search results shows one: who they are and the identifiers that tell people apart.
public struct NominalListing: Sendable, Equatable, RowDecodable {
    public var id: Int64
    public var nominalRef: String
    public var familyName: String
    public var givenNames: String
    public var aliases: [String]
    public var dateOfBirth: CalendarDate?
    public var pncID: String
    public var fullName: String { Self.fullName(givenNames: givenNames, familyName: familyName) }

    /// Given names, then the family name in capitals, as police records write a name.
    public static func fullName(givenNames: String, familyName: String) -> String { "\(givenNames) \(familyName.uppercased())" }

    /// A page of 50 results reads these seven, not the whole record.
    public static let columns = """
        nominals.id, nominals.nominal_ref, nominals.family_name, nominals.given_names, nominals.date_of_birth,
        nominals.pnc_id, nominals.alias_list
        """

    public init(row: inout RowReader) throws(DatabaseError) {
        id = try row.decode("id")
        nominalRef = try row.decode("nominal_ref")
        familyName = try row.decode("family_name")
        givenNames = try row.decode("given_names")
        dateOfBirth = try row.decodeIfPresent("date_of_birth")
        pncID = try row.decode("pnc_id")
        aliases = AliasList.decode(try row.decode("alias_list"))
    }

    public init(id: Int64, nominalRef: String, familyName: String, givenNames: String, aliases: [String],
                dateOfBirth: CalendarDate?, pncID: String) {
        self.id = id
        self.nominalRef = nominalRef
        self.familyName = familyName
        self.givenNames = givenNames
        self.aliases = aliases
        self.dateOfBirth = dateOfBirth
        self.pncID = pncID
    }
}
