import Database
import Domain
import Foundation

/// Who a file is imported by: a person (an upload page), held to need-to-know for every record the file touches and
/// named on the access list of every restricted case it creates; or the system (the command line), which may touch
/// every record and whose restricted cases wait for a coordinator who manages restricted cases to say who sees them.
public enum Importer: Sendable {
    case person(Viewer)
    case system(SystemJob)

    var actor: Actor {
        switch self {
        case .person(let viewer): return viewer.actor
        case .system(let job): return job.actor
        }
    }

    /// The nominal references of the people the importer may not change: none for the system.
    func hiddenNominalRefs(_ context: StoreContext) throws -> Set<String> {
        guard case .person(let viewer) = self else { return [] }
        return try context.database.read { connection in try CaseVisibilityFilter(viewer, connection).hiddenNominalRefs(connection) }
    }
}
