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
    var uploadPath: String { self == .register ? RegisterImportRoutes.uploadPath : StatisticsRoutes.eventsUploadPath }
    var doneTitle: String { self == .register ? "Case register imported" : "Events imported" }
    /// The form field that carries the file, and what to say when none was chosen.
    var fileField: String { rawValue }
    var missingFileMessage: String { self == .register ? "Select a CSV file of the case register" : "Select a CSV file of events" }
    func page(_ session: Session, _ problems: [ValidationProblem], _ status: Int) -> Response {
        self == .register ? RegisterImportRoutes.uploadPage(session, problems: problems, status: status)
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
        /// What was imported, as labelled figures for the result page, with anything the importer must know.
        case imported([Figure], note: String?)
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
    func start(_ kind: ImportKind, data: [UInt8], filename: String, dryRun: Bool, viewer: Viewer, services: Services) -> String {
        let user = viewer.user
        let id = UUID().uuidString.lowercased()
        let estimate = max(0, data.reduce(0) { $1 == 0x0A ? $0 + 1 : $0 } - 1)
        let now = Date()
        jobs.withLock { jobs in
            jobs = jobs.filter { !$0.value.phase.finished || now.timeIntervalSince($0.value.startedAt) < retention }
            jobs[id] = Job(kind: kind, ownerID: user.id, filename: filename, startedAt: now, estimatedRows: estimate)
        }
        let thread = Thread { [self] in
            let update: @Sendable (Int) -> Void = { count in self.jobs.withLock { $0[id]?.processed = count } }
            /// Checks every row, then (unless a dry run) imports them: the same steps for every kind of file.
            func run<Row>(_ parsed: Result<[Row], CaseRegisterImportError>, _ importRows: ([Row]) throws -> ([Figure], String?)) throws -> Phase {
                switch parsed {
                case .failure(let failure): return .rejected(errors: failure.errors, rowsRead: failure.rowsRead)
                case .success(let rows) where dryRun: return .checked(rows: rows.count)
                case .success(let rows):
                    jobs.withLock { $0[id]?.phase = .importing; $0[id]?.processed = 0; $0[id]?.estimatedRows = rows.count }
                    let (figures, note) = try importRows(rows)
                    return .imported(figures, note: note)
                }
            }
            let phase: Phase
            do {
                switch kind {
                case .register:
                    let register = services.register
                    phase = try run(CaseRegisterCSV.parse(data, agencyCodes: try register.agencyCodes(), areaCodes: try register.areaCodes(),
                                                         today: services.today, progress: update)) {
                        let summary = try register.importRegister($0, by: .person(viewer), progress: update)
                        let figures = [Figure(label: "Rows imported", value: summary.rows),
                                       Figure(label: "Nominals created", value: summary.nominalsCreated),
                                       Figure(label: "Nominals updated", value: summary.nominalsUpdated),
                                       Figure(label: "Cases created", value: summary.casesCreated),
                                       Figure(label: "Cases updated", value: summary.casesUpdated),
                                       Figure(label: "Cases restricted", value: summary.restrictedCases)]
                        return (figures, try services.caseAccess.whoSees(summary, importedBy: .person(viewer)))
                    }
                case .events:
                    let events = services.events
                    let known = try events.nominalRefs(for: .person(viewer))
                    phase = try run(EventsCSV.parse(data, knownNominalRefs: { known.contains($0) }, today: services.today, progress: update)) {
                        let summary = try events.importEvents($0, by: .person(viewer), progress: update)
                        return ([Figure(label: "Rows read", value: $0.count), Figure(label: "Events added", value: summary.added),
                                 Figure(label: "Already on record (skipped)", value: summary.alreadyRecorded)], nil)
                    }
                }
            } catch {
                phase = .failed((error as? DomainError)?.description ?? "The database could not save the import. Nothing was imported; try again later.")
            }
            self.jobs.withLock { $0[id]?.phase = phase }
        }
        thread.name = "\(kind.rawValue)-import"
        thread.start()
        return id
    }
}
