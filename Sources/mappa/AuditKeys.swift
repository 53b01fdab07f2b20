import Database
import Foundation
import Store

/// Where a command finds the audit key file and the checkpoint file, one rule for every command.
enum AuditKeys {
    /// The key file for `location`: `--key-file`/`--audit-key` if given, else $MAPPA_AUDIT_KEY_FILE, else
    /// `<database>.audit-key` beside a SQLite file; nil for PostgreSQL with neither.
    static func path(option: String?, location: String) -> (path: String, explicit: Bool)? {
        AuditKeyFile.resolve(option: option, databaseLocation: location, isPostgres: DatabaseLocation.isPostgres(location))
    }

    /// The keys the audit chain is keyed with for `location`, nil when there is no key file. A key file that was
    /// named, or that is there but cannot be used (missing when named, wrong mode or owner, damaged), is an error:
    /// running unkeyed instead would go unnoticed.
    static func load(option: String?, location: String) throws -> AuditKeyring? {
        guard let (path, explicit) = path(option: option, location: location) else { return nil }
        if !explicit, !FileManager.default.fileExists(atPath: path) { return nil }
        return try AuditKeyFile.load(path)
    }

    /// The checkpoint file: the option if given, else `<database>.audit-checkpoints.jsonl` beside a SQLite file;
    /// nil for PostgreSQL without the option.
    static func checkpointFile(option: String?, location: String) -> AuditCheckpointFile? {
        if let option, !option.isEmpty { return AuditCheckpointFile(path: option) }
        if DatabaseLocation.isPostgres(location) { return nil }
        return AuditCheckpointFile(path: AuditCheckpointFile.defaultPath(besides: location))
    }
}
