import Domain
import Foundation
import HTTPServer
import Store
import Synchronization

/// What a file upload imports: the case register (DESIGN.md "Case register import") or the annual report's
/// events (DESIGN.md "Events import"). Each has its own upload page and names its rows the same way.
enum ImportKind: String, Sendable {
    case register
    case events

    var title: String { self == .register ? "Import the case register" : "Import events" }
    var uploadPath: String { self == .register ? ImportRoutes.uploadPath : StatisticsRoutes.eventsUploadPath }
    var doneTitle: String { self == .register ? "Case register imported" : "Events imported" }
    /// The form field that carries the file, and what to say when none was chosen.
    var fileField: String { rawValue }
    var missingFileMessage: String { self == .register ? "Select a CSV file of the case register" : "Select a CSV file of events" }
    func page(_ session: Session, _ problems: [ValidationProblem], _ status: Int) -> Response {
        self == .register ? ImportRoutes.uploadPage(session, problems: problems, status: status)
            : StatisticsRoutes.eventsUploadPage(session, problems: problems, status: status)
    }
    var next: (href: String, label: String) {
        self == .register ? ("/nominals", "Find a nominal") : ("/statistics/annual", "See the annual report")
    }
}

/// Uploads run in the background so that a large file shows how far it has got instead of a browser spinning
/// for a minute. Jobs live in this app instance's memory: progress is for the person watching; the result
/// itself is in the database and the audit trail.
final class ImportJobs: Sendable {
    enum Phase: Sendable, Equatable {
        case checking
        case importing
        /// Validation failed: nothing was imported.
        case rejected(errors: [CaseRegisterRowError], rowsRead: Int)
        /// Dry run: every row is valid; nothing was imported.
        case checked(rows: Int)
        /// What was imported, as labelled figures for the result page.
        case imported([Figure])
        /// The import itself failed (for example the database was unavailable); nothing was imported.
        case failed(String)

        var finished: Bool { ![.checking, .importing].contains(self) }
    }

    struct Figure: Sendable, Equatable {
        let label: String
        let value: Int
    }

    struct Job: Sendable {
        let kind: ImportKind
        let ownerID: Int64
        let filename: String
        let dryRun: Bool
        let startedAt: Date
        var estimatedRows: Int
        var processed = 0
        var phase = Phase.checking
    }

    private let jobs = Mutex<[String: Job]>([:])
    /// Finished jobs are forgotten after this long; the audit trail keeps the record.
    private let retention: TimeInterval = 3600

    /// The job, only for the person who started it and only on the upload page of its kind.
    func job(_ id: String, ownerID: Int64, kind: ImportKind) -> Job? {
        jobs.withLock { $0[id] }.flatMap { $0.ownerID == ownerID && $0.kind == kind ? $0 : nil }
    }

    /// Starts checking (and unless `dryRun`, importing) `data` on a background thread; returns the job id.
    func start(_ kind: ImportKind, data: [UInt8], filename: String, dryRun: Bool, user: User, address: String,
               services: Services) -> String {
        let id = UUID().uuidString.lowercased()
        let estimate = max(0, data.reduce(0) { $1 == 0x0A ? $0 + 1 : $0 } - 1)
        let now = Date()
        jobs.withLock { jobs in
            jobs = jobs.filter { !$0.value.phase.finished || now.timeIntervalSince($0.value.startedAt) < retention }
            jobs[id] = Job(kind: kind, ownerID: user.id, filename: filename, dryRun: dryRun, startedAt: now, estimatedRows: estimate)
        }
        let actor = Actor(userID: user.id, username: user.username, clientAddress: address)
        let thread = Thread { [self] in
            let update: @Sendable (Int) -> Void = { count in self.jobs.withLock { $0[id]?.processed = count } }
            /// Checks every row, then (unless a dry run) imports them: the same steps for every kind of file.
            func run<Row>(_ parsed: Result<[Row], CaseRegisterImportError>, _ importRows: ([Row]) throws -> [Figure]) throws -> Phase {
                switch parsed {
                case .failure(let failure): return .rejected(errors: failure.errors, rowsRead: failure.rowsRead)
                case .success(let rows) where dryRun: return .checked(rows: rows.count)
                case .success(let rows):
                    jobs.withLock { $0[id]?.phase = .importing; $0[id]?.processed = 0; $0[id]?.estimatedRows = rows.count }
                    return .imported(try importRows(rows))
                }
            }
            let phase: Phase
            do {
                switch kind {
                case .register:
                    let casework = services.casework
                    phase = try run(CaseRegisterCSV.parse(data, agencyCodes: try casework.agencyCodes(), areaCodes: try casework.areaCodes(),
                                                         today: casework.today, progress: update)) {
                        let summary = try casework.importRegister($0, by: actor, progress: update)
                        return [Figure(label: "Rows imported", value: summary.rows),
                                Figure(label: "Nominals created", value: summary.nominalsCreated),
                                Figure(label: "Nominals updated", value: summary.nominalsUpdated),
                                Figure(label: "Cases created", value: summary.casesCreated),
                                Figure(label: "Cases updated", value: summary.casesUpdated)]
                    }
                case .events:
                    let statistics = services.statistics
                    let known = try statistics.nominalRefs()
                    phase = try run(EventsCSV.parse(data, knownNominalRefs: { known.contains($0) }, today: statistics.today, progress: update)) {
                        let summary = try statistics.importEvents($0, by: actor, progress: update)
                        return [Figure(label: "Rows read", value: $0.count), Figure(label: "Events added", value: summary.added),
                                Figure(label: "Already on record (skipped)", value: summary.alreadyRecorded)]
                    }
                }
            } catch {
                phase = .failed((error as? StoreError)?.description ?? "The database could not save the import. Nothing was imported; try again later.")
            }
            self.jobs.withLock { $0[id]?.phase = phase }
        }
        thread.name = "\(kind.rawValue)-import"
        thread.start()
        return id
    }
}

/// The upload page, the progress page, and the register download, for the MAPPA coordinator.
enum ImportRoutes {
    static let uploadPath = "/cases/import"

    static func register(_ router: inout Router, _ services: Services) {
        uploadRoutes(&router, services, .register)
        router.get("/cases/export.csv", Access.require(services, .editCases) { request, session in
            let rows = try services.casework.exportRegister(includeRestricted: false)
            try services.audit.record(actor: request.actor(session), action: .export, subjectType: "case_register",
                                      subjectID: "export", detail: "\(rows.count) rows")
            var response = Response.json(Array(CaseRegisterCSV.write(rows).utf8), contentType: "text/csv; charset=utf-8")
            response.headers.set("Content-Disposition", "attachment; filename=\"case-register-\(services.casework.today).csv\"")
            return response
        })
    }

    /// The three routes of an upload: its page, the post that starts the background job, and the job's progress
    /// page (only for whoever started it).
    static func uploadRoutes(_ router: inout Router, _ services: Services, _ kind: ImportKind) {
        router.get(kind.uploadPath, Access.require(services, .editCases) { request, session in
            kind.page(session, [], 200)
        })
        router.post(kind.uploadPath, Access.require(services, .editCases) { request, session in
            let form = try request.form()
            guard let file = form.file(kind.fileField), !file.data.isEmpty else {
                return kind.page(session, [ValidationProblem(field: kind.fileField, message: kind.missingFileMessage)], 422)
            }
            let id = services.imports.start(kind, data: file.data, filename: file.filename, dryRun: form["dry_run"] == "yes",
                                            user: session.user, address: request.remoteAddress, services: services)
            return .redirect(to: "\(kind.uploadPath)/\(id)")
        })
        router.get("\(kind.uploadPath)/:job", Access.require(services, .editCases) { request, session in
            guard let id = request.parameter("job"), let job = services.imports.job(id, ownerID: session.user.id, kind: kind) else {
                throw HTTPError.notFound
            }
            return progressPage(session, job)
        })
    }

    static func uploadPage(_ session: Session, problems: [ValidationProblem], status: Int) -> Response {
        let columns = CaseRegisterCSV.columns.joined(separator: ", ")
        let content: HTML = """
            \(Components.errorSummary(problems))
            <h1>Import the case register</h1>
            <p>Upload the register as a CSV file (UTF-8, with a header row), one row per nominal, with these columns:</p>
            <p class="hint"><code>\(columns)</code></p>
            <p>Where the database holds several MAPPA areas, a last column <code>mappa_area</code> may give each case's area by
            its code (the codes are on the MAPPA areas page under Statistics). Left empty, or without the column, a case's
            area stays as it is.</p>
            <p>Every row is checked first. If any row has a problem, nothing is imported and every problem is listed
            with its line number, so you can correct the file and upload it again. A nominal reference already on
            record updates that nominal and its case; it never makes a duplicate.</p>
            <form method="post" action="\(uploadPath)" enctype="multipart/form-data" novalidate>
              <input type="hidden" name="csrf_token" value="\(session.csrfToken)">
              \(fileInput(problems, name: "register", label: "Case register file"))
              \(Components.checkbox("dry_run", label: "Only check the file: do not import anything", checked: false))
              \(Components.button("Upload"))
            </form>
            <h2>Download the register</h2>
            <p><a href="/cases/export.csv" download>Download the case register (CSV)</a>. Restricted (Category 4) cases are
            left out. The download is recorded in the audit trail; keep the file on OFFICIAL-SENSITIVE systems only.</p>
            """
        return .html(Layout.page(title: "Import the case register", session: session, currentPath: "/cases/import",
                                 hasErrors: !problems.isEmpty, content: content).rendered, status: status)
    }

    /// https://design-system.service.gov.uk/components/file-upload/
    static func fileInput(_ problems: [ValidationProblem], name: String, label: String) -> HTML {
        let error = Components.fieldError(problems, name)
        let errorHTML: HTML? = error.map {
            "<p class=\"error-message\" id=\"\(name)-error\"><span class=\"visually-hidden\">Error:</span> \($0.message)</p>"
        }
        return """
            <div class="form-group\(error == nil ? "" : " form-group--error")">
              <label class="label" for="\(name)">\(label)</label>
              \(errorHTML)
              <input class="file-upload" id="\(name)" name="\(name)" type="file" accept=".csv,text/csv"\(error == nil ? HTML.empty : " aria-describedby=\"\(name)-error\"")>
            </div>
            """
    }

    static func progressPage(_ session: Session, _ job: ImportJobs.Job) -> Response {
        let body: HTML
        switch job.phase {
        case .checking, .importing:
            let verb = job.phase == .checking ? "Checking" : "Importing"
            let total = max(job.estimatedRows, job.processed, 1)
            body = """
                <h1>\(verb) \(job.filename)</h1>
                <p role="status" data-refresh="2">\(verb): \(job.processed) of about \(total) rows</p>
                <progress max="\(total)" value="\(job.processed)" aria-label="\(verb) rows">\(job.processed * 100 / total)%</progress>
                <p>This page updates itself. You can leave it: the import carries on.
                <a href="">Check progress now</a></p>
                <script src="\(Assets.scriptPath)"></script>
                """
        case .rejected(let errors, let rowsRead):
            let rows = errors.prefix(1000).map { error -> [HTML] in ["\(error.line)", "\(error.column)", "\(error.message)"] }
            body = """
                <h1>The file was not imported</h1>
                <div class="error-summary" role="alert" tabindex="-1">
                  <h2 class="error-summary__title">\(errors.count) problem\(errors.count == 1 ? "" : "s") in \(rowsRead) rows: nothing was imported</h2>
                  <p>Correct each line listed below in \(job.filename), then upload the whole file again.</p>
                </div>
                \(Components.table(caption: errors.count > 1000 ? "The first 1,000 problems" : "Problems by line",
                                   headers: ["Line", "Column", "Problem"], rows: rows))
                <p><a href="\(job.kind.uploadPath)">Upload a corrected file</a></p>
                """
        case .checked(let count):
            body = """
                <h1>All \(count) rows are valid</h1>
                <p>\(job.filename) was only checked: nothing was imported. <a href="\(job.kind.uploadPath)">Upload it again to import it</a>.</p>
                """
        case .imported(let figures):
            body = """
                <h1>\(job.kind.doneTitle)</h1>
                \(Components.summaryList([("File", "\(job.filename)")] + figures.map { ($0.label, "\($0.value)") }))
                <p><a href="\(job.kind.next.href)">\(job.kind.next.label)</a></p>
                """
        case .failed(let message):
            body = """
                <h1>The file was not imported</h1>
                <p>\(message)</p>
                <p><a href="\(job.kind.uploadPath)">Try again</a></p>
                """
        }
        return .html(Layout.page(title: job.kind.title, session: session, currentPath: job.kind.uploadPath, content: body).rendered)
    }
}
