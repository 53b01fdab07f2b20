import Crypto
import Database
import Domain
import Foundation
@testable import Store
import Testing
import TestSupport

/// The audit key file, keyed entries and signed checkpoints, against someone who can write the database (and
/// drop its append-only triggers) but cannot read the key file.
@Suite("Audit key and checkpoints")
struct AuditKeyTests {
    /// A private folder for the key and checkpoint files, removed afterwards.
    final class Folder: Sendable {
        let url: URL
        init() throws {
            url = FileManager.default.temporaryDirectory.appendingPathComponent("mappa-audit-key-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        }
        func path(_ name: String) -> String { url.appendingPathComponent(name).path }
        deinit { try? FileManager.default.removeItem(at: url) }
    }

    static func mode(_ path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue ?? -1
    }

    let actor = Actor(userID: 7, username: "coordinator", clientAddress: "10.0.0.5")

    func record(_ trail: AuditTrail, _ count: Int, from first: Int = 1) throws {
        for index in first..<(first + count) {
            try trail.record(actor: actor, action: .view, subjectType: "case", subjectID: String(index))
        }
    }

    /// A database with `plain` unkeyed entries, then `keyed` entries keyed with a new key file, and a checkpoint.
    struct KeyedWorld {
        let test: TestDatabase
        let folder: Folder
        let keys: AuditKeyring
        let trail: AuditTrail
        var keyPath: String { folder.path("audit-key") }
        var checkpointPath: String { folder.path("checkpoints.jsonl") }

        init(_ kind: DatabaseKind, plain: Int, keyed: Int) throws {
            test = try TestDatabase(kind)
            folder = try Folder()
            let unkeyed = AuditTrail(database: test.database)
            let actor = Actor(userID: 7, username: "coordinator", clientAddress: "10.0.0.5")
            for index in 0..<plain { try unkeyed.record(actor: actor, action: .view, subjectType: "case", subjectID: "p\(index)") }
            keys = try AuditKeyFile.create(folder.path("audit-key"))
            trail = AuditTrail(database: test.database, keys: keys, checkpoints: AuditCheckpointFile(path: folder.path("checkpoints.jsonl")))
            for index in 0..<keyed { try trail.record(actor: actor, action: .view, subjectType: "case", subjectID: "k\(index)") }
            trail.writeCheckpoint()
        }

        var checkpoints: [AuditChainVerifier.NumberedCheckpoint] { get throws { try AuditCheckpointFile.read(checkpointPath) } }

        func verification(checkpoints: Bool = true) throws -> AuditVerification {
            try trail.verification(keys: keys, checkpoints: checkpoints ? try self.checkpoints : nil)
        }

        func entries() throws -> [AuditEntry] {
            try test.database.read { try $0.query(AuditEntry.self, "SELECT \(AuditEntry.columns) FROM audit_log ORDER BY sequence") }
        }

        /// What someone with write access to the database does: drops the append-only triggers, replaces the whole
        /// log with `entries`, and moves the head to match.
        func replaceLog(with entries: [AuditEntry]) throws {
            try test.database.write { connection in
                switch test.kind {
                case .sqlite:
                    try connection.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
                    try connection.execute("DROP TRIGGER IF EXISTS audit_log_no_delete")
                case .postgres: try connection.execute("DROP TRIGGER IF EXISTS audit_log_no_change ON audit_log")
                }
                try connection.execute("DELETE FROM audit_log")
                for entry in entries {
                    try connection.execute("""
                        INSERT INTO audit_log (sequence, occurred_at_ms, actor_user_id, actor_username, action, subject_type,
                                               subject_id, detail, client_address, previous_hash, hash, key_id)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """, [.integer(entry.sequence), .integer(AuditTrail.milliseconds(entry.occurredAt)), .init(entry.actorUserID),
                              .text(entry.actorUsername), .text(entry.action.rawValue), .text(entry.subjectType), .text(entry.subjectID),
                              .text(entry.detail), .text(entry.clientAddress), .text(entry.previousHash), .text(entry.hash),
                              .text(entry.keyID)])
                }
                try connection.execute("UPDATE audit_head SET last_sequence = ?, last_hash = ?, last_key_id = '' WHERE id = 1",
                                       [.integer(entries.last?.sequence ?? 0), .text(entries.last?.hash ?? AuditEntry.genesisHash)])
            }
        }

        /// Recomputes every entry from `index` on with plain SHA-256, as someone without the key can.
        static func rehashPlain(_ entries: inout [AuditEntry], from index: Int) {
            var previous = index == 0 ? AuditEntry.genesisHash : entries[index - 1].hash
            for position in index..<entries.count {
                entries[position].previousHash = previous
                entries[position].keyID = ""
                entries[position].hash = Crypto.sha256Hex(entries[position].canonicalText)
                previous = entries[position].hash
            }
        }
    }

    @Test("the key file is made readable by its owner only, never overwritten, and rotated keeping the older keys")
    func keyFile() throws {
        let folder = try Folder()
        let path = folder.path("audit-key")
        let first = try AuditKeyFile.create(path)
        #expect(try Self.mode(path) == 0o600)
        #expect(first.current.id.count == 16)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.contains(first.current.id))
        #expect(!text.contains(first.current.id + first.current.id), "the id is a hash of the key, not the key")
        #expect(throws: AuditKeyFile.Problem.self) { _ = try AuditKeyFile.create(path) }
        let (old, new) = try AuditKeyFile.rotate(path)
        #expect(old.current.id == first.current.id)
        #expect(new.keys.map(\.id) == [first.current.id, new.current.id])
        #expect(new.current.id != first.current.id)
        #expect(try Self.mode(path) == 0o600)
        #expect(try AuditKeyFile.load(path).keys.map(\.id) == new.keys.map(\.id))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.url.path) == ["audit-key"], "no temporary file left")
    }

    @Test("a key file open to others, missing, or damaged is refused with the reason")
    func unusableKeyFile() throws {
        let folder = try Folder()
        let path = folder.path("audit-key")
        do {
            _ = try AuditKeyFile.load(path)
            Issue.record("a missing key file was accepted")
        } catch { #expect("\(error)".contains("does not exist")) }
        _ = try AuditKeyFile.create(path)
        chmod(path, 0o644)
        do {
            _ = try AuditKeyFile.load(path)
            Issue.record("a key file readable by others was accepted")
        } catch { #expect("\(error)".contains("open to others (mode 644)") && "\(error)".contains("chmod 600")) }
        chmod(path, 0o600)
        try "0000000000000000 00ff\n".write(toFile: path, atomically: false, encoding: .utf8)
        do {
            _ = try AuditKeyFile.load(path)
            Issue.record("a damaged key file was accepted")
        } catch { #expect("\(error)".contains("damaged at line 1")) }
    }

    @Test("new entries are keyed, older ones stay plain, and verify counts both; a process without the key may not add a plain one",
          arguments: DatabaseKind.available)
    func keyedEntries(kind: DatabaseKind) throws {
        let world = try KeyedWorld(kind, plain: 3, keyed: 5)
        let entries = try world.entries()
        #expect(entries.map(\.keyID) == Array(repeating: "", count: 3) + Array(repeating: world.keys.current.id, count: 5))
        #expect(entries[3].hash == Crypto.hmacSHA256Hex(key: world.keys.current.bytes, entries[3].canonicalText))
        let verification = try world.verification()
        #expect(verification.outcome == .intact(entries: 8))
        #expect(verification.keyed == 5 && verification.plain == 3 && verification.checkpoints == 1)
        #expect(try world.trail.currentKeyID() == world.keys.current.id)
        #expect(throws: DomainError.self) { try record(AuditTrail(database: world.test.database), 1) }
        #expect(try world.trail.count() == 8)
    }

    @Test("checkpoints: one signed JSON line each time the chain has moved, in a file readable by its owner only",
          arguments: DatabaseKind.available)
    func checkpointFile(kind: DatabaseKind) throws {
        let world = try KeyedWorld(kind, plain: 0, keyed: 4)
        world.trail.writeCheckpoint()
        try record(world.trail, 2)
        world.trail.writeCheckpoint()
        let lines = try String(contentsOfFile: world.checkpointPath, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 2, "no line while the chain stands still")
        #expect(try Self.mode(world.checkpointPath) == 0o600)
        let checkpoints = try world.checkpoints.map(\.checkpoint)
        #expect(checkpoints.map(\.count) == [4, 6])
        #expect(checkpoints.allSatisfy { $0.keyID == world.keys.current.id })
        #expect(checkpoints[1].head == (try world.entries().last?.hash))
        #expect(try world.verification().checkpoints == 2)
    }

    @Test("a checkpoint that cannot be written loses no entry", arguments: DatabaseKind.available)
    func checkpointFailure(kind: DatabaseKind) throws {
        let test = try TestDatabase(kind)
        let folder = try Folder()
        let keys = try AuditKeyFile.create(folder.path("audit-key"))
        let trail = AuditTrail(database: test.database, keys: keys,
                               checkpoints: AuditCheckpointFile(path: folder.path("no-such-folder/checkpoints.jsonl")))
        try record(trail, 3)
        trail.writeCheckpoint()
        #expect(try trail.count() == 3)
        #expect(try trail.verification(keys: keys).outcome == .intact(entries: 3))
    }

    @Test("(a) an entry edited and every later hash recomputed with plain SHA-256 is caught (today's verify said intact)",
          arguments: DatabaseKind.available)
    func rewrittenPlain(kind: DatabaseKind) throws {
        let world = try KeyedWorld(kind, plain: 2, keyed: 28)
        var entries = try world.entries()
        entries[9].detail = "nothing to see"
        KeyedWorld.rehashPlain(&entries, from: 9)
        try world.replaceLog(with: entries)
        guard case .broken(let sequence, let reason) = try world.verification(checkpoints: false).outcome else {
            Issue.record("the rewrite was not caught"); return
        }
        #expect(sequence == 10)
        #expect(reason.contains("rewritten by someone without the audit key"))
        // Rewritten from the first keyed entry on, the chain is all plain: the key file and the checkpoint say otherwise.
        var all = try world.entries()
        KeyedWorld.rehashPlain(&all, from: 2)
        try world.replaceLog(with: all)
        #expect(try AuditTrail(database: world.test.database).verify() == .intact(entries: 30), "without the key it looks intact")
        guard case .broken(_, let whole) = try world.verification(checkpoints: false).outcome else {
            Issue.record("the rewrite of the whole keyed part was not caught"); return
        }
        #expect(whole.contains("no entry is keyed"))
    }

    @Test("(b) the last 10 entries deleted and the head moved back are caught by the checkpoints (today's verify said intact)",
          arguments: DatabaseKind.available)
    func truncated(kind: DatabaseKind) throws {
        let world = try KeyedWorld(kind, plain: 1, keyed: 29)
        try world.replaceLog(with: Array(try world.entries().prefix(20)))
        #expect(try world.verification(checkpoints: false).outcome == .intact(entries: 20), "the chain alone is consistent")
        guard case .broken(_, let reason) = try world.verification().outcome else {
            Issue.record("the truncation was not caught"); return
        }
        #expect(reason == "checkpoint line 1 records 30 entries, but the chain has only 20: entries were removed from the end")
    }

    @Test("(c) entries deleted in the middle, the rest renumbered and recomputed, are caught", arguments: DatabaseKind.available)
    func deletedInTheMiddle(kind: DatabaseKind) throws {
        let world = try KeyedWorld(kind, plain: 0, keyed: 25)
        var entries = try world.entries()
        entries.removeSubrange(10..<14)
        for index in entries.indices { entries[index].sequence = Int64(index + 1) }
        KeyedWorld.rehashPlain(&entries, from: 10)
        try world.replaceLog(with: entries)
        guard case .broken(let sequence, _) = try world.verification().outcome else {
            Issue.record("the deletion was not caught"); return
        }
        #expect(sequence == 11)
        // Deleted and left unnumbered, the gap itself is named.
        let fresh = try KeyedWorld(kind, plain: 0, keyed: 12)
        var gapped = try fresh.entries()
        gapped.removeSubrange(5..<7)
        try fresh.replaceLog(with: gapped)
        #expect(try fresh.verification().outcome == .broken(sequence: 8, reason: "entry 6 is missing (found 8 next)"))
    }

    @Test("(d) a forged checkpoint line is caught", arguments: DatabaseKind.available)
    func forgedCheckpoint(kind: DatabaseKind) throws {
        let world = try KeyedWorld(kind, plain: 0, keyed: 30)
        // Someone truncates the chain to 20 entries and adds a checkpoint line that vouches for it.
        let kept = Array(try world.entries().prefix(20))
        try world.replaceLog(with: kept)
        var forged = AuditCheckpoint(at: Date(), count: 20, head: kept[19].hash, keyID: world.keys.current.id)
        forged.mac = Crypto.hmacSHA256Hex(key: Crypto.randomBytes(32), forged.canonicalText)
        let handle = try #require(FileHandle(forWritingAtPath: world.checkpointPath))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data((forged.jsonLine + "\n").utf8))
        try handle.close()
        #expect(try world.verification().outcome
                == .broken(sequence: 20, reason: "checkpoint line 2 is forged or altered: its MAC does not match"))
    }

    @Test("entries keyed before a rotation still verify with the rotated key file, not with the new key alone",
          arguments: DatabaseKind.available)
    func rotation(kind: DatabaseKind) throws {
        let world = try KeyedWorld(kind, plain: 2, keyed: 3)
        let (_, rotated) = try AuditKeyFile.rotate(world.keyPath)
        let after = AuditTrail(database: world.test.database, keys: rotated)
        try record(after, 3)
        let entries = try world.entries()
        #expect(Set(entries.map(\.keyID)) == ["", world.keys.current.id, rotated.current.id])
        let verification = try after.verification(keys: rotated, checkpoints: try world.checkpoints)
        #expect(verification.outcome == .intact(entries: 8))
        #expect(verification.keyed == 6 && verification.plain == 2)
        let onlyNew = AuditKeyring(keys: [rotated.current])
        #expect(try after.verification(keys: onlyNew).outcome
                == .broken(sequence: 3, reason: "the entry is keyed with key id \(world.keys.current.id), which the audit key file does not hold"))
    }
}
