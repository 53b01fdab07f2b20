import Foundation

/// Where the database is: a PostgreSQL URL (`postgres://…` or `postgresql://…`) or a path to an embedded
/// SQLite file. The command line wins over `MAPPA_DATABASE_URL`, which wins over the default file.
public enum DatabaseLocation {
    public static let defaultSQLitePath = "data/mappa.sqlite"
    public static let environmentVariable = "MAPPA_DATABASE_URL"

    public static func resolve(_ argument: String?, environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let argument, !argument.isEmpty { return argument }
        if let fromEnvironment = environment[environmentVariable], !fromEnvironment.isEmpty { return fromEnvironment }
        return defaultSQLitePath
    }

    public static func isPostgres(_ location: String) -> Bool {
        location.hasPrefix("postgres://") || location.hasPrefix("postgresql://")
    }

    /// Opens the database at a resolved location.
    public static func open(_ location: String, poolSize: Int = 4) throws -> Database {
        if isPostgres(location) { return try PostgresDatabase(url: location, poolSize: poolSize) }
        return try SQLiteDatabase(path: location, readers: poolSize)
    }

    /// The location with any password removed, for printing.
    public static func redacted(_ location: String) -> String {
        guard isPostgres(location), var components = URLComponents(string: location) else { return location }
        if components.password != nil { components.password = "****" }
        return components.string ?? "postgres://…"
    }
}
