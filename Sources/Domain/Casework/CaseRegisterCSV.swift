/// The case register CSV contract: UTF-8 (a BOM is accepted), a header row, one row per nominal; validation is
/// all-or-nothing and reports every bad row. Parsing works on bytes (RFC 4180: quoted fields, doubled quotes,
/// commas and line breaks inside quotes, CRLF or LF).
public enum CaseRegisterCSV {
    public static let columns = [
        "nominal_ref", "family_name", "given_names", "aliases", "date_of_birth", "gender", "ethnicity", "pnc_id",
        "visor_ref", "crn", "category", "level", "lead_agency", "mappa_start_date", "statutory_end_date",
        "next_review_date", "rosh", "custody_status", "release_date", "status", "exit_date", "exit_reason",
    ]
    /// Columns a file may add after the contract's: a regional deployment's `mappa_area` (an area code). A file
    /// without them imports exactly as before.
    public static let optionalColumns = ["mappa_area"]

    /// The longest value a column may hold, as on the pages and in the API: 200 characters (a name), more for the
    /// list of aliases.
    static let defaultLengthLimit = 200
    static let lengthLimits = ["aliases": 4_000]

    /// A record and the physical line it starts on.
    struct Record {
        var line: Int
        var fields: [[UInt8]]
    }

    /// Splits RFC 4180 CSV into records. Returns nil and the line when a quoted field never closes.
    static func records(_ bytes: [UInt8]) -> (records: [Record], unterminatedQuoteLine: Int?) {
        var data = bytes[...]
        if data.starts(with: [0xEF, 0xBB, 0xBF]) { data = data.dropFirst(3) }
        var records: [Record] = []
        var fields: [[UInt8]] = []
        var field: [UInt8] = []
        var line = 1
        var recordLine = 1
        var inQuotes = false
        var quoteStartLine = 1
        var fieldStarted = false
        var index = data.startIndex
        func endRecord() {
            fields.append(field)
            // A blank line is no record.
            if !(fields.count == 1 && fields[0].isEmpty) { records.append(Record(line: recordLine, fields: fields)) }
            fields = []
            field = []
            fieldStarted = false
        }
        while index < data.endIndex {
            let byte = data[index]
            if inQuotes {
                if byte == UInt8(ascii: "\"") {
                    let next = data.index(after: index)
                    if next < data.endIndex, data[next] == UInt8(ascii: "\"") {
                        field.append(byte)
                        index = data.index(after: next)
                        continue
                    }
                    inQuotes = false
                } else {
                    if byte == 10 { line += 1 }
                    field.append(byte)
                }
            } else {
                switch byte {
                case UInt8(ascii: "\""):
                    if !fieldStarted && field.isEmpty {
                        inQuotes = true
                        quoteStartLine = line
                    } else {
                        field.append(byte)
                    }
                    fieldStarted = true
                case UInt8(ascii: ","):
                    fields.append(field)
                    field = []
                    fieldStarted = false
                case 13:
                    break // CR: part of CRLF, or stray; ignored outside quotes
                case 10:
                    endRecord()
                    line += 1
                    recordLine = line
                default:
                    field.append(byte)
                    fieldStarted = true
                }
            }
            index = data.index(after: index)
        }
        if inQuotes { return (records, quoteStartLine) }
        if !field.isEmpty || !fields.isEmpty { endRecord() }
        return (records, nil)
    }

    /// `areaCodes`: the MAPPA areas' codes, which the optional `mappa_area` column must use (or leave empty).
    public static func parse(_ data: [UInt8], agencyCodes: Set<String>, areaCodes: Set<String> = [], today: CalendarDate,
                             progress: ((Int) -> Void)? = nil) -> Result<[CaseRegisterRow], CaseRegisterImportError> {
        var seenRefs: [String: Int] = [:]
        return parseRows(data, columns: columns, optionalColumns: optionalColumns, rowNoun: "nominal", progressEvery: 1000,
                         lengthLimits: lengthLimits, progress: progress) { line, values in
            var rowErrors: [CaseRegisterRowError] = []
            func fail(_ column: String, _ message: String) {
                rowErrors.append(CaseRegisterRowError(line: line, column: column, message: message))
            }
            func required(_ column: String, _ what: String) -> String {
                let value = values[column] ?? ""
                if value.isEmpty { fail(column, "Enter the \(what)") }
                return value
            }
            func date(_ column: String) -> CalendarDate? {
                let text = values[column] ?? ""
                if text.isEmpty { return nil }
                guard let date = CalendarDate(text) else {
                    fail(column, "Must be a real date written YYYY-MM-DD")
                    return nil
                }
                return date
            }
            let reference = required("nominal_ref", "nominal reference")
            if !reference.isEmpty {
                if let first = seenRefs[reference] {
                    fail("nominal_ref", "The same nominal reference is already on line \(first)")
                } else {
                    seenRefs[reference] = line
                }
            }
            let familyName = required("family_name", "family name")
            let givenNames = required("given_names", "given names")
            var dateOfBirth: CalendarDate?
            if (values["date_of_birth"] ?? "").isEmpty {
                fail("date_of_birth", "Enter the date of birth")
            } else if let dob = date("date_of_birth") {
                if dob > today { fail("date_of_birth", "Date of birth must be in the past") } else { dateOfBirth = dob }
            }
            let categoryText = values["category"] ?? ""
            let category = Int(categoryText).flatMap(MappaCategory.init(rawValue:))
            if category == nil { fail("category", categoryText.isEmpty ? "Enter the category (1 to 4)" : "Category must be 1, 2, 3 or 4, not \"\(categoryText.prefix(10))\"") }
            let levelText = values["level"] ?? ""
            var level: ManagementLevel = .unknown
            if !levelText.isEmpty {
                if let parsed = Int(levelText).flatMap(ManagementLevel.init(rawValue:)), parsed != .unknown {
                    level = parsed
                } else {
                    fail("level", "Level must be 1, 2, 3 or empty (not yet set), not \"\(levelText.prefix(10))\"")
                }
            }
            if category == .three, level == .one { fail("level", "Category 3 is managed only at Level 2 or Level 3") }
            let leadAgency = required("lead_agency", "lead agency code")
            if !leadAgency.isEmpty, !agencyCodes.contains(leadAgency) {
                fail("lead_agency", "Unknown agency code \"\(leadAgency.prefix(40))\"; use a code from the agency directory")
            }
            let startDate = date("mappa_start_date")
            let statutoryEndDate = date("statutory_end_date")
            let nextReviewDate = date("next_review_date")
            let releaseDate = date("release_date")
            let exitDate = date("exit_date")
            let roshText = (values["rosh"] ?? "").lowercased()
            let rosh = RoSH(rawValue: roshText)
            if !roshText.isEmpty, rosh == nil { fail("rosh", "RoSH must be low, medium, high or very high") }
            let custodyText = (values["custody_status"] ?? "").lowercased()
            let custody = CustodyStatus(rawValue: custodyText)
            if custody == nil { fail("custody_status", "Custody status must be community, custody or hospital") }
            let statusText = (values["status"] ?? "").lowercased()
            let status = CaseStatus(rawValue: statusText)
            if status == nil { fail("status", "Status must be active or exited") }
            let exitReason = values["exit_reason"] ?? ""
            if status == .exited {
                if (values["exit_date"] ?? "").isEmpty { fail("exit_date", "An exited case needs its exit date") }
                if exitReason.isEmpty { fail("exit_reason", "An exited case needs the reason it left MAPPA") }
            }
            if status == .active, !(values["exit_date"] ?? "").isEmpty {
                fail("exit_date", "An active case cannot have an exit date: set the status to exited or remove the date")
            }
            if let exitDate, let startDate, exitDate < startDate { fail("exit_date", "The exit date is before the MAPPA start date") }
            var area: String?
            if let areaText = values["mappa_area"].map(MappaArea.normalisedCode), !areaText.isEmpty {
                if areaCodes.contains(areaText) {
                    area = areaText
                } else {
                    fail("mappa_area", "Unknown MAPPA area code \"\(areaText.prefix(40))\"; use a code from the list of MAPPA areas, or leave it empty")
                }
            }
            guard rowErrors.isEmpty, let category, let dateOfBirth, let custody, let status else { return .problems(rowErrors) }
            let aliases = (values["aliases"] ?? "").split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            return .row(CaseRegisterRow(
                nominalRef: reference, familyName: familyName, givenNames: givenNames, aliases: aliases,
                dateOfBirth: dateOfBirth, gender: values["gender"] ?? "", ethnicity: values["ethnicity"] ?? "",
                pncID: values["pnc_id"] ?? "", visorRef: values["visor_ref"] ?? "", crn: values["crn"] ?? "",
                category: category, level: level, leadAgency: leadAgency, mappaStartDate: startDate,
                statutoryEndDate: statutoryEndDate, nextReviewDate: nextReviewDate, rosh: rosh, custodyStatus: custody,
                releaseDate: releaseDate, status: status, exitDate: exitDate, exitReason: exitReason, area: area))
        }
    }

    /// One data row as a parser sees it: the row, or every problem with it.
    enum RowCheck<Row> {
        case row(Row)
        case problems([CaseRegisterRowError])
    }

    /// The steps every CSV import shares: records, the header checked against `columns` (unknown, repeated and
    /// missing columns), each row's width and UTF-8, its trimmed values handed to `checkRow`, progress every
    /// `progressEvery` rows, and all-or-nothing: any problem anywhere fails the whole file with every problem listed.
    static func parseRows<Row>(_ data: [UInt8], columns: [String], optionalColumns: [String] = [], rowNoun: String, progressEvery: Int,
                               lengthLimits: [String: Int] = [:], multilineColumns: Set<String> = [], progress: ((Int) -> Void)?,
                               checkRow: (_ line: Int, _ values: [String: String]) -> RowCheck<Row>) -> Result<[Row], CaseRegisterImportError> {
        var errors: [CaseRegisterRowError] = []
        let (records, unterminated) = records(data)
        if let unterminated {
            errors.append(CaseRegisterRowError(line: unterminated, column: "(file)",
                                               message: "A quoted value starting here is never closed"))
        }
        guard let header = records.first else {
            return .failure(CaseRegisterImportError(errors: errors + [CaseRegisterRowError(line: 1, column: "(file)",
                message: "The file is empty: it needs a header row and one row per \(rowNoun)")], rowsRead: 0))
        }
        let names = header.fields.map { String(decoding: $0, as: UTF8.self).trimmingCharacters(in: .whitespaces).lowercased() }
        var position: [String: Int] = [:]
        let optional = optionalColumns.isEmpty ? "" : " (and optionally \(optionalColumns.joined(separator: ",")))"
        for (index, name) in names.enumerated() {
            if !columns.contains(name) && !optionalColumns.contains(name) {
                errors.append(CaseRegisterRowError(line: 1, column: name.isEmpty ? "(blank)" : String(name.prefix(40)),
                                                   message: "Unknown column; the columns are: \(columns.joined(separator: ","))\(optional)"))
            } else if position[name] != nil {
                errors.append(CaseRegisterRowError(line: 1, column: name, message: "Column appears twice"))
            } else {
                position[name] = index
            }
        }
        for column in columns where position[column] == nil {
            errors.append(CaseRegisterRowError(line: 1, column: column, message: "Required column is missing"))
        }
        if !errors.isEmpty { return .failure(CaseRegisterImportError(errors: errors, rowsRead: 0)) }

        var rows: [Row] = []
        rows.reserveCapacity(records.count)
        let dataRecords = records.dropFirst()
        for (offset, record) in dataRecords.enumerated() {
            if (offset + 1) % progressEvery == 0 { progress?(offset + 1) }
            let line = record.line
            guard record.fields.count == names.count else {
                errors.append(CaseRegisterRowError(line: line, column: "(row)",
                    message: "Has \(record.fields.count) values but the header has \(names.count) columns"))
                continue
            }
            var values: [String: String] = [:]
            var badText = false
            for (column, index) in position {
                guard let text = field(record.fields[index]) else { badText = true; continue }
                values[column] = restored(text)
            }
            if badText {
                errors.append(CaseRegisterRowError(line: line, column: "(row)", message: "Contains text that is not valid UTF-8"))
                continue
            }
            // The same text rules as the pages and the API: a length limit, and no control characters (a NUL would cut
            // the value short where it is stored).
            var badValue = false
            for column in position.keys.sorted() {
                guard let value = values[column],
                      let problem = TextRules.problem(value, field: column, label: "The value",
                                                      limit: lengthLimits[column] ?? defaultLengthLimit,
                                                      multiline: multilineColumns.contains(column)) else { continue }
                errors.append(CaseRegisterRowError(line: line, column: column, message: problem.message))
                badValue = true
            }
            if badValue { continue }
            switch checkRow(line, values) {
            case .row(let row): rows.append(row)
            case .problems(let problems): errors += problems
            }
        }
        progress?(dataRecords.count)
        if dataRecords.isEmpty {
            errors.append(CaseRegisterRowError(line: 2, column: "(file)", message: "The file has a header but no rows"))
        }
        return errors.isEmpty ? .success(rows) : .failure(CaseRegisterImportError(errors: errors, rowsRead: dataRecords.count))
    }

    /// A field as text without surrounding spaces; nil when it is not valid UTF-8. ASCII spaces and tabs are cut
    /// from the bytes (the common case, and much cheaper than Foundation's trimming, which a 100,000-row file
    /// calls two million times); other Unicode spaces at either end still go through Foundation.
    static func field(_ bytes: [UInt8]) -> String? {
        var start = 0, end = bytes.count
        while start < end, bytes[start] == 0x20 || bytes[start] == 0x09 { start += 1 }
        while end > start, bytes[end - 1] == 0x20 || bytes[end - 1] == 0x09 { end -= 1 }
        guard let text = String(validating: bytes[start..<end], as: UTF8.self) else { return nil }
        if start < end, bytes[start] >= 0x80 || bytes[end - 1] >= 0x80 { return text.trimmingCharacters(in: .whitespaces) }
        return text
    }

    /// Spreadsheet programs run a cell that starts with `=`, `+`, `-` or `@` (or tab/CR) as a formula. Text
    /// from people's records is prefixed with `'` so it opens as text (OWASP "CSV injection").
    public static func neutralised(_ cell: String) -> String {
        guard let first = cell.unicodeScalars.first, ["=", "+", "-", "@", "\t", "\r"].contains(first) else { return cell }
        return "'" + cell
    }

    /// Undoes `neutralised`, so a file this app exported imports back exactly as it was.
    static func restored(_ cell: String) -> String {
        let scalars = cell.unicodeScalars
        guard scalars.first == "'", let second = scalars.dropFirst().first, ["=", "+", "-", "@", "\t", "\r"].contains(second) else {
            return cell
        }
        return String(cell.dropFirst())
    }

    static func quoted(_ cell: String) -> String {
        guard cell.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return cell }
        return "\"" + cell.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// One CSV line (with its LF) of any export: each cell neutralised against formula injection and quoted when
    /// it holds a comma, quote or line break.
    public static func line(_ cells: [String]) -> String {
        cells.map { quoted(neutralised($0)) }.joined(separator: ",") + "\n"
    }

    /// The register in the same format, LF line endings, text cells neutralised against formula injection. The
    /// `mappa_area` column follows only when some case has an area, so a unit without areas gets the file as before.
    public static func write(_ rows: [CaseRegisterRow]) -> String {
        let withArea = rows.contains { $0.area != nil }
        var out = (columns + (withArea ? ["mappa_area"] : [])).joined(separator: ",") + "\n"
        for row in rows {
            let text = { (value: String) in quoted(neutralised(value)) }
            let date = { (value: CalendarDate?) in value?.description ?? "" }
            let cells = [
                text(row.nominalRef), text(row.familyName), text(row.givenNames), text(row.aliases.joined(separator: ";")),
                row.dateOfBirth.description, text(row.gender), text(row.ethnicity), text(row.pncID), text(row.visorRef),
                text(row.crn), String(row.category.rawValue), row.level == .unknown ? "" : String(row.level.rawValue),
                text(row.leadAgency), date(row.mappaStartDate), date(row.statutoryEndDate), date(row.nextReviewDate),
                row.rosh?.rawValue ?? "", row.custodyStatus.rawValue, date(row.releaseDate), row.status.rawValue,
                date(row.exitDate), text(row.exitReason),
            ] + (withArea ? [text(row.area ?? "")] : [])
            out += cells.joined(separator: ",") + "\n"
        }
        return out
    }
}
