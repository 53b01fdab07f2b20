import Crypto
import Domain
import Foundation

/// The secret keys of the audit chain, read from a key file kept outside the database (`mappa audit key`): new
/// entries and checkpoints are keyed (HMAC-SHA-256) with the newest; older ones stay so that entries keyed before
/// a rotation still verify. Someone who can write the database but not read this file cannot rewrite the chain.
public struct AuditKeyring: Sendable {
    public struct Key: Sendable {
        /// A short hash of the key (never the key itself): what entries and checkpoints record.
        public let id: String
        let bytes: [UInt8]

        init(bytes: [UInt8]) {
            self.bytes = bytes
            id = Self.id(of: bytes)
        }

        static func id(of bytes: [UInt8]) -> String { String(Crypto.hex(Crypto.sha256(Array("mappa-audit-key-id".utf8) + bytes)).prefix(16)) }

        /// A fresh random key.
        static func generate() -> Key { Key(bytes: Crypto.randomBytes(Crypto.hmacKeyLength)) }
    }

    /// Oldest first; the last is the current key.
    public let keys: [Key]
    public var current: Key { keys[keys.count - 1] }

    init(keys: [Key]) {
        precondition(!keys.isEmpty)
        self.keys = keys
    }

    /// HMAC-SHA-256 of `text` under the key with `id`; nil when this keyring does not hold it.
    public func mac(keyID id: String, _ text: String) -> String? {
        guard let key = keys.last(where: { $0.id == id }) else { return nil }
        return Crypto.hmacSHA256Hex(key: key.bytes, text)
    }

    /// For `AuditChainVerifier`.
    public var macFunction: @Sendable (String, String) -> String? { { id, text in self.mac(keyID: id, text) } }
}

/// The audit key file: one key a line, `<key id> <64 hex digits>`, oldest first, `#` comments. Readable by its
/// owner only (0600), and refused otherwise.
public enum AuditKeyFile {
    /// Why a key file cannot be used, in words an operator can act on.
    public struct Problem: Error, Sendable, CustomStringConvertible {
        public var description: String
        public init(description: String) { self.description = description }
    }

    /// The environment variable naming the key file when no option does.
    public static let environmentVariable = "MAPPA_AUDIT_KEY_FILE"

    /// The default key file for the SQLite database at `databasePath`: beside it, never inside it.
    public static func defaultPath(besides databasePath: String) -> String { databasePath + ".audit-key" }

    /// The key file for a command: the option if given, else the environment, else the default beside a SQLite
    /// file; `explicit` says whether the operator named it (then it must be usable), or it is the default (then
    /// an absent file means "unkeyed").
    public static func resolve(option: String?, databaseLocation: String, isPostgres: Bool,
                               environment: [String: String] = ProcessInfo.processInfo.environment) -> (path: String, explicit: Bool)? {
        if let option, !option.isEmpty { return (option, true) }
        if let named = environment[environmentVariable], !named.isEmpty { return (named, true) }
        if isPostgres { return nil }
        return (defaultPath(besides: databaseLocation), false)
    }

    static let header = """
        # MAPPA Coordinator audit keys (HMAC-SHA-256). Keep this file secret, readable only by the account that runs
        # mappa, and outside the database and its backups. One key a line: key id, key in hex. The last is current;
        # keep the older ones, or the entries keyed with them no longer verify.

        """

    /// Reads the keys at `path`, refusing a file that is missing, not a regular file, not owned by this user, or
    /// readable or writable by anyone else.
    public static func load(_ path: String) throws(Problem) -> AuditKeyring {
        let descriptor = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard descriptor >= 0 else {
            let reason = errno == ENOENT ? "does not exist (create it with 'mappa audit key')" : String(cString: strerror(errno))
            throw Problem(description: "the audit key file \(path) cannot be read: \(reason)")
        }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0, status.st_mode & S_IFMT == S_IFREG else {
            throw Problem(description: "the audit key file \(path) is not a regular file")
        }
        guard status.st_uid == geteuid() else {
            throw Problem(description: "the audit key file \(path) belongs to user \(status.st_uid), not to the user running mappa (\(geteuid()))")
        }
        let mode = status.st_mode & 0o777
        guard mode & 0o077 == 0 else {
            throw Problem(description: "the audit key file \(path) is open to others (mode \(String(mode, radix: 8))); "
                          + "it must be readable by its owner only: chmod 600 \(path)")
        }
        var data = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = read(descriptor, &buffer, buffer.count)
            if count < 0 { throw Problem(description: "the audit key file \(path) cannot be read: \(String(cString: strerror(errno)))") }
            if count == 0 { break }
            data += buffer[0..<count]
            if data.count > 1 << 20 { throw Problem(description: "the audit key file \(path) is too large to be a key file") }
        }
        return try parse(String(decoding: data, as: UTF8.self), path: path)
    }

    static func parse(_ text: String, path: String) throws(Problem) -> AuditKeyring {
        var keys: [AuditKeyring.Key] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            let parts = trimmed.split(separator: " ", omittingEmptySubsequences: true)
            guard parts.count == 2, let bytes = Crypto.bytes(hex: String(parts[1])), bytes.count == Crypto.hmacKeyLength else {
                throw Problem(description: "the audit key file \(path) is damaged at line \(index + 1)")
            }
            let key = AuditKeyring.Key(bytes: bytes)
            guard key.id == parts[0] else {
                throw Problem(description: "the audit key file \(path) is damaged at line \(index + 1): the key does not match its id")
            }
            keys.append(key)
        }
        guard !keys.isEmpty else { throw Problem(description: "the audit key file \(path) holds no key") }
        return AuditKeyring(keys: keys)
    }

    static func text(of keyring: AuditKeyring) -> String {
        header + keyring.keys.map { "\($0.id) \(Crypto.hex($0.bytes))\n" }.joined()
    }

    /// Creates the key file with one new key, readable by its owner only; refuses to overwrite an existing file.
    public static func create(_ path: String) throws(Problem) -> AuditKeyring {
        let keyring = AuditKeyring(keys: [.generate()])
        try writeFile(text(of: keyring), to: path, exclusive: true)
        return keyring
    }

    /// Adds a new current key to the key file at `path`, keeping the older ones; returns the old and the new
    /// keyring. The file is replaced whole (written beside it, then renamed), so a crash leaves one or the other.
    public static func rotate(_ path: String) throws(Problem) -> (old: AuditKeyring, new: AuditKeyring) {
        let old = try load(path)
        let new = AuditKeyring(keys: old.keys + [.generate()])
        let temporary = path + ".new-" + Crypto.randomToken(byteCount: 6)
        try writeFile(text(of: new), to: temporary, exclusive: true)
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw Problem(description: "the audit key file \(path) could not be replaced: \(reason)")
        }
        return (old, new)
    }

    private static func writeFile(_ text: String, to path: String, exclusive: Bool) throws(Problem) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW | (exclusive ? O_EXCL : O_TRUNC), 0o600)
        guard descriptor >= 0 else {
            let reason = errno == EEXIST ? "it already exists (use --rotate to add a new key)" : String(cString: strerror(errno))
            throw Problem(description: "the audit key file \(path) cannot be created: \(reason)")
        }
        defer { close(descriptor) }
        // The mode given to open() is narrowed by the umask, never widened; set it exactly anyway.
        fchmod(descriptor, 0o600)
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        guard written == bytes.count, fsync(descriptor) == 0 else {
            unlink(path)
            throw Problem(description: "the audit key file \(path) could not be written: \(String(cString: strerror(errno)))")
        }
    }
}

/// The file of signed checkpoints (`AuditCheckpoint`), one JSON line each, appended to and never rewritten:
/// opened for appending only, created readable by its owner only. A SIEM can collect it line by line.
public final class AuditCheckpointFile: Sendable {
    public let path: String

    /// The default checkpoint file for the SQLite database at `databasePath`.
    public static func defaultPath(besides databasePath: String) -> String { databasePath + ".audit-checkpoints.jsonl" }

    public init(path: String) { self.path = path }

    /// Appends one line (a single write on a file opened with O_APPEND, so lines from several writers do not mix).
    func append(_ checkpoint: AuditCheckpoint) throws(AuditKeyFile.Problem) {
        let descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard descriptor >= 0 else {
            throw AuditKeyFile.Problem(description: "cannot open the audit checkpoint file: \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        let bytes = Array((checkpoint.jsonLine + "\n").utf8)
        let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        guard written == bytes.count else {
            throw AuditKeyFile.Problem(description: "cannot write the audit checkpoint file: \(String(cString: strerror(errno)))")
        }
    }

    /// Every checkpoint in the file at `path`, with its line number; a line that is not a checkpoint is an error.
    public static func read(_ path: String) throws(AuditKeyFile.Problem) -> [AuditChainVerifier.NumberedCheckpoint] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw AuditKeyFile.Problem(description: "the checkpoint file \(path) cannot be read")
        }
        var checkpoints: [AuditChainVerifier.NumberedCheckpoint] = []
        for (index, line) in String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if line.trimmingCharacters(in: .whitespaces).isEmpty { continue }
            guard let checkpoint = AuditCheckpoint(jsonLine: String(line)) else {
                throw AuditKeyFile.Problem(description: "checkpoint line \(index + 1) of \(path) is not a checkpoint")
            }
            checkpoints.append(.init(line: index + 1, checkpoint: checkpoint))
        }
        return checkpoints
    }
}
