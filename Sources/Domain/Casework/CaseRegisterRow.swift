/// One nominal and its MAPPA case as the case register file carries them (DESIGN.md, "Case register import").
public struct CaseRegisterRow: Sendable, Equatable {
    public var nominalRef: String
    public var familyName: String
    public var givenNames: String
    public var aliases: [String]
    public var dateOfBirth: CalendarDate
    public var gender: String
    public var ethnicity: String
    public var pncID: String
    public var visorRef: String
    public var crn: String
    public var category: MappaCategory
    public var level: ManagementLevel
    public var leadAgency: String
    public var mappaStartDate: CalendarDate?
    public var statutoryEndDate: CalendarDate?
    public var nextReviewDate: CalendarDate?
    public var rosh: RoSH?
    public var custodyStatus: CustodyStatus
    public var releaseDate: CalendarDate?
    public var status: CaseStatus
    public var exitDate: CalendarDate?
    public var exitReason: String
    /// The MAPPA area's code from the optional `mappa_area` column; nil leaves a case's area as it is (none for a
    /// new case).
    public var area: String?

    public init(nominalRef: String, familyName: String, givenNames: String, aliases: [String] = [],
                dateOfBirth: CalendarDate, gender: String = "", ethnicity: String = "", pncID: String = "",
                visorRef: String = "", crn: String = "", category: MappaCategory, level: ManagementLevel,
                leadAgency: String, mappaStartDate: CalendarDate? = nil, statutoryEndDate: CalendarDate? = nil,
                nextReviewDate: CalendarDate? = nil, rosh: RoSH? = nil, custodyStatus: CustodyStatus = .community,
                releaseDate: CalendarDate? = nil, status: CaseStatus = .active, exitDate: CalendarDate? = nil,
                exitReason: String = "", area: String? = nil) {
        self.nominalRef = nominalRef
        self.familyName = familyName
        self.givenNames = givenNames
        self.aliases = aliases
        self.dateOfBirth = dateOfBirth
        self.gender = gender
        self.ethnicity = ethnicity
        self.pncID = pncID
        self.visorRef = visorRef
        self.crn = crn
        self.category = category
        self.level = level
        self.leadAgency = leadAgency
        self.mappaStartDate = mappaStartDate
        self.statutoryEndDate = statutoryEndDate
        self.nextReviewDate = nextReviewDate
        self.rosh = rosh
        self.custodyStatus = custodyStatus
        self.releaseDate = releaseDate
        self.status = status
        self.exitDate = exitDate
        self.exitReason = exitReason
        self.area = area
    }
}

/// One problem with one row: the file's line number, the column, and what to do. Messages never repeat a
/// cell that may hold personal data (names, dates of birth); they may repeat a bad code such as a category.
public struct CaseRegisterRowError: Sendable, Equatable, CustomStringConvertible {
    public var line: Int
    public var column: String
    public var message: String
    public init(line: Int, column: String, message: String) {
        self.line = line
        self.column = column
        self.message = message
    }
    public var description: String { "line \(line), \(column): \(message)" }
}

/// The file was refused as a whole: nothing imports while any row is wrong.
public struct CaseRegisterImportError: Error, Sendable, Equatable {
    public var errors: [CaseRegisterRowError]
    public var rowsRead: Int
}
