import Testing
@testable import Domain

@Suite("Case register CSV")
struct CaseRegisterCSVTests {
    static let header = CaseRegisterCSV.columns.joined(separator: ",")
    static let agencies: Set<String> = ["police", "probation", "nhs_trust"]
    let today = CalendarDate("2026-11-25")!

    /// A valid row for a synthetic person; `changes` replaces columns by name.
    static func row(_ ref: String, _ changes: [String: String] = [:]) -> String {
        var values: [String: String] = [
            "nominal_ref": ref, "family_name": "Testperson", "given_names": "Alex", "aliases": "Lex;AJ",
            "date_of_birth": "1985-06-01", "gender": "Male", "ethnicity": "White British", "pnc_id": "85/1\(ref.suffix(4))A",
            "visor_ref": "", "crn": "", "category": "1", "level": "1", "lead_agency": "police",
            "mappa_start_date": "2020-01-01", "statutory_end_date": "", "next_review_date": "", "rosh": "medium",
            "custody_status": "community", "release_date": "", "status": "active", "exit_date": "", "exit_reason": "",
        ]
        for (key, value) in changes { values[key] = value }
        return CaseRegisterCSV.columns.map { values[$0] ?? "" }.joined(separator: ",")
    }

    func parse(_ text: String) -> Result<[CaseRegisterRow], CaseRegisterImportError> {
        CaseRegisterCSV.parse(Array(text.utf8), agencyCodes: Self.agencies, today: today)
    }

    func errors(_ text: String) -> [CaseRegisterRowError] {
        if case .failure(let error) = parse(text) { return error.errors }
        return []
    }

    @Test("a good file imports every row with typed values")
    func good() throws {
        let rows = try parse([Self.header, Self.row("N0001"), Self.row("N0002", ["level": "", "category": "2", "rosh": "very high"])]
                                .joined(separator: "\n") + "\n").get()
        #expect(rows.count == 2)
        #expect(rows[0].aliases == ["Lex", "AJ"])
        #expect(rows[0].dateOfBirth == CalendarDate("1985-06-01"))
        #expect(rows[1].level == .unknown)
        #expect(rows[1].rosh == .veryHigh)
    }

    @Test("one bad row among good ones imports nothing and names the line, counting lines inside quoted fields")
    func oneBadRow() {
        let multiLine = Self.row("N0002", ["exit_reason": ""]).replacingOccurrences(of: "Testperson", with: "\"Test\nperson\"")
        let text = [Self.header, Self.row("N0001"), multiLine, Self.row("N0003", ["category": "7"]), Self.row("N0004")]
            .joined(separator: "\r\n")
        guard case .failure(let failure) = parse(text) else { Issue.record("bad file accepted"); return }
        #expect(failure.errors == [
            CaseRegisterRowError(line: 3, column: "family_name", message: "The value must not contain control characters"),
            CaseRegisterRowError(line: 5, column: "category", message: "Category must be 1, 2, 3 or 4, not \"7\""),
        ], "a line break inside a quoted name is refused, and the lines after it still counted")
        #expect(failure.rowsRead == 4)
    }

    @Test("control characters are refused with the line and column; a NUL never cuts a value short")
    func controlCharacters() {
        let text = [Self.header, Self.row("N0001", ["family_name": "Before\u{0}after"]), Self.row("N0002"),
                    Self.row("N0003", ["given_names": "Al\u{1B}[31mex", "exit_reason": "moved\u{7}"])].joined(separator: "\n")
        #expect(errors(text) == [
            CaseRegisterRowError(line: 2, column: "family_name", message: "The value must not contain control characters"),
            CaseRegisterRowError(line: 4, column: "exit_reason", message: "The value must not contain control characters"),
            CaseRegisterRowError(line: 4, column: "given_names", message: "The value must not contain control characters"),
        ])
    }

    @Test("the API's length limits apply: a 10 MB family name is refused with its line, and nothing imports")
    func lengthLimits() {
        let huge = String(repeating: "A", count: 10_000_000)
        let text = [Self.header, Self.row("N0001"), Self.row("N0002", ["family_name": huge]),
                    Self.row("N0003", ["given_names": String(repeating: "B", count: 201)]),
                    Self.row("N0004", ["given_names": String(repeating: "C", count: 200)])].joined(separator: "\n")
        #expect(errors(text) == [
            CaseRegisterRowError(line: 3, column: "family_name", message: "The value must be 200 characters or fewer"),
            CaseRegisterRowError(line: 4, column: "given_names", message: "The value must be 200 characters or fewer"),
        ])
    }

    @Test("every problem in every row is reported at once")
    func allProblems() {
        let found = errors([Self.header,
                            Self.row("N0001", ["family_name": "", "date_of_birth": "2030-01-01"]),
                            Self.row("N0001", ["lead_agency": "nowhere", "level": "1", "category": "3"]),
                            Self.row("N0003", ["status": "exited"]),
                            Self.row("N0004", ["exit_date": "2025-01-01"]),
                            Self.row("N0005", ["rosh": "extreme", "custody_status": "prison", "next_review_date": "2026-02-30"])]
                            .joined(separator: "\n"))
        let summary = Set(found.map { "\($0.line):\($0.column)" })
        #expect(summary == ["2:family_name", "2:date_of_birth", "3:nominal_ref", "3:lead_agency", "3:level",
                            "4:exit_date", "4:exit_reason", "5:exit_date", "6:rosh", "6:custody_status", "6:next_review_date"])
        #expect(found.contains { $0.line == 3 && $0.message == "The same nominal reference is already on line 2" })
    }

    @Test("messages never repeat a name or date of birth from the file")
    func noPersonalDataInErrors() {
        let found = errors([Self.header, Self.row("N0001", ["date_of_birth": "1985-13-45", "given_names": ""])].joined(separator: "\n"))
        #expect(!found.isEmpty)
        #expect(found.allSatisfy { !$0.message.contains("1985-13-45") && !$0.message.contains("Testperson") })
    }

    @Test("a byte-order mark and CRLF line endings are accepted")
    func bomAndCRLF() throws {
        let text = "\u{FEFF}" + [Self.header, Self.row("N0001")].joined(separator: "\r\n") + "\r\n"
        #expect(try parse(text).get().count == 1)
    }

    @Test("a missing or unknown header column is reported on line 1")
    func header() {
        let missing = errors(Self.header.replacingOccurrences(of: ",exit_reason", with: "") + "\n" + Self.row("N0001"))
        #expect(missing.contains(CaseRegisterRowError(line: 1, column: "exit_reason", message: "Required column is missing")))
        let unknown = errors(Self.header + ",shoe_size\n" + Self.row("N0001") + ",9")
        #expect(unknown.contains { $0.line == 1 && $0.column == "shoe_size" })
    }

    @Test("an optional mappa_area column names each case's area; empty leaves it; an unknown code is a row error")
    func areaColumn() throws {
        let areas: Set<String> = ["north", "south"]
        func parse(_ text: String) -> Result<[CaseRegisterRow], CaseRegisterImportError> {
            CaseRegisterCSV.parse(Array(text.utf8), agencyCodes: Self.agencies, areaCodes: areas, today: today)
        }
        let rows = try parse([Self.header + ",mappa_area", Self.row("N0001") + ",north", Self.row("N0002") + ",",
                              Self.row("N0003") + ", South "].joined(separator: "\n")).get()
        #expect(rows.map(\.area) == ["north", nil, "south"], "codes are read in any case, with spaces cut")
        #expect(try parse([Self.header, Self.row("N0001")].joined(separator: "\n")).get()[0].area == nil, "a file without it imports as before")
        guard case .failure(let failure) = parse([Self.header + ",mappa_area", Self.row("N0001") + ",north",
                                                  Self.row("N0002") + ",west"].joined(separator: "\n")) else {
            Issue.record("an unknown area was accepted"); return
        }
        #expect(failure.errors == [CaseRegisterRowError(line: 3, column: "mappa_area",
            message: "Unknown MAPPA area code \"west\"; use a code from the list of MAPPA areas, or leave it empty")])
        #expect(errors(Self.header + ",mappa_area\n" + Self.row("N0001") + ",north").first?.column == "mappa_area",
                "with no areas on record every code is unknown")
        let twice = errors(Self.header + ",mappa_area,mappa_area\n" + Self.row("N0001") + ",north,north")
        #expect(twice.contains(CaseRegisterRowError(line: 1, column: "mappa_area", message: "Column appears twice")))
        let unknown = errors(Self.header + ",mappa_region\n" + Self.row("N0001") + ",north")
        #expect(unknown.first?.message.hasSuffix("(and optionally mappa_area)") == true)
    }

    @Test("the export adds the mappa_area column only when a case has an area")
    func areaExport() throws {
        let row = CaseRegisterRow(nominalRef: "N0001", familyName: "Testperson", givenNames: "Alex", dateOfBirth: CalendarDate("1985-06-01")!,
                                  category: .one, level: .one, leadAgency: "police")
        #expect(CaseRegisterCSV.write([row]).hasPrefix(Self.header + "\n"))
        var placed = row
        placed.area = "=north"
        let text = CaseRegisterCSV.write([row, placed])
        #expect(text.hasPrefix(Self.header + ",mappa_area\n"))
        #expect(text.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).last ?? "" } == ["mappa_area", "", "'=north"])
    }

    @Test("columns in another order are read by name")
    func reordered() throws {
        let columns = CaseRegisterCSV.columns.reversed()
        let values = Self.row("N0001").split(separator: ",", omittingEmptySubsequences: false).reversed()
        let rows = try parse(columns.joined(separator: ",") + "\n" + values.joined(separator: ",")).get()
        #expect(rows.first?.nominalRef == "N0001")
    }

    @Test("an empty file, a header without rows, a short row and an unclosed quote are refused")
    func malformed() {
        #expect(errors("").first?.message.contains("empty") == true)
        #expect(errors(Self.header + "\n").first?.message.contains("no rows") == true)
        #expect(errors(Self.header + "\nN0001,Testperson").first?.column == "(row)")
        #expect(errors(Self.header + "\n" + Self.row("N0001", ["exit_reason": "\"never closed"])).contains { $0.message.contains("never closed") })
    }

    @Test("export then import gives the same rows; formula-like text is neutralised in the file only")
    func roundTrip() throws {
        let rows = [
            CaseRegisterRow(nominalRef: "N0001", familyName: "O'Brien, \"Jr\"", givenNames: "Zoë Ann", aliases: ["Zed", "Z"],
                            dateOfBirth: CalendarDate("1990-03-07")!, category: .two, level: .two, leadAgency: "probation",
                            mappaStartDate: CalendarDate("2024-01-01"), rosh: .high, custodyStatus: .custody,
                            releaseDate: CalendarDate("2027-05-01")),
            CaseRegisterRow(nominalRef: "N0002", familyName: "=HYPERLINK(\"http://x\")", givenNames: "@Sam",
                            dateOfBirth: CalendarDate("1970-01-01")!, category: .three, level: .unknown, leadAgency: "police",
                            status: .exited, exitDate: CalendarDate("2026-01-01"), exitReason: "-risk reduced"),
        ]
        let text = CaseRegisterCSV.write(rows)
        #expect(!text.split(separator: "\n").contains { line in line.split(separator: ",").contains { $0.hasPrefix("=") || $0.hasPrefix("@") } })
        let back = try parse(text).get()
        #expect(back[0] == rows[0])
        #expect(back[1] == rows[1], "the neutralising quote is removed again on import, so nothing changes")
        #expect(try parse(Self.header + "\n" + Self.row("N0003", ["family_name": "'Quoted"])).get()[0].familyName == "'Quoted",
                "a quote not protecting a formula is kept")
    }

    @Test("a large file parses and reports progress to the last row")
    func large() throws {
        var lines = [Self.header]
        for index in 1...20_000 { lines.append(Self.row(String(format: "N%06d", index))) }
        var seen = 0
        let rows = try CaseRegisterCSV.parse(Array(lines.joined(separator: "\n").utf8), agencyCodes: Self.agencies, today: today,
                                             progress: { seen = $0 }).get()
        #expect(rows.count == 20_000)
        #expect(seen == 20_000)
    }
}
