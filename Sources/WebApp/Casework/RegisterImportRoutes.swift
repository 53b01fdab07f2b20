import Domain
import Foundation
import HTTPServer
import Store
import Synchronization

/// The upload page, the progress page, and the register download, for the MAPPA coordinator.
enum RegisterImportRoutes {
    static let uploadPath = "/cases/import"

    static func register(_ router: inout Router, _ services: Services) {
        uploadRoutes(&router, services, .register)
        router.get("/cases/export.csv", Access.require(services, .editCases) { request, session in
            let rows = try services.register.exportRegister(for: request.viewer(session))
            try services.audit.record(actor: request.actor(session), action: .export, subjectType: "case_register",
                                      subjectID: "export", detail: "\(rows.count) rows")
            var response = Response.json(Array(CaseRegisterCSV.write(rows).utf8), contentType: "text/csv; charset=utf-8")
            response.headers.set("Content-Disposition", "attachment; filename=\"case-register-\(services.today).csv\"")
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
                                            viewer: request.viewer(session), services: services)
            return .redirect(to: "\(kind.uploadPath)/\(id)")
        })
        router.get("\(kind.uploadPath)/:job", Access.require(services, .editCases) { request, session in
            guard let id = request.parameter("job"), let job = services.imports.job(id, ownerID: session.user.id, kind: kind) else {
                throw DomainError.notFound("The import")
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
            <p><a href="/cases/export.csv" download>Download the case register (CSV)</a>. People with a case you may not see
            (restricted, including Category 4, or one you are excluded from) are left out. The download is recorded in the audit
            trail; keep the file on OFFICIAL-SENSITIVE systems only.</p>
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
        case .imported(let figures, let note):
            body = """
                <h1>\(job.kind.doneTitle)</h1>
                \(Components.summaryList([("File", "\(job.filename)")] + figures.map { ($0.label, "\($0.value)") }))
                \(note.map { "<p>\($0)</p>" as HTML } ?? .empty)
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
