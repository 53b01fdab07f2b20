import Foundation
import Testing
@testable import Domain

/// The keyed chain and its checkpoints, against someone who can write the database but does not hold the key:
/// they can recompute plain SHA-256 hashes, not the keyed ones, and cannot sign a checkpoint.
@Suite("Keyed audit chain and checkpoints")
struct AuditKeyedChainTests {
    /// Stand-ins: the domain does no cryptography, so any deterministic functions show the logic. The "MAC"
    /// depends on the key's secret, which the attacker does not have.
    static let hash: @Sendable (String) -> String = AuditChainTests.hash
    static let secrets = ["k1": "secret one", "k2": "secret two"]
    static let mac: @Sendable (String, String) -> String? = { id, text in
        secrets[id].map { hash("mac:" + $0 + ":" + text) }
    }
    let verifier = AuditChainVerifier(hash: AuditKeyedChainTests.hash, mac: AuditKeyedChainTests.mac)

    /// `plain` plain entries, then `keyed` keyed with k1 (and, from `rotateAt`, with k2).
    static func chain(plain: Int, keyed: Int, rotateAt: Int? = nil) -> [AuditEntry] {
        var entries: [AuditEntry] = []
        var previous = AuditEntry.genesisHash
        for sequence in 1...(plain + keyed) {
            let keyID = sequence <= plain ? "" : (rotateAt.map { sequence >= $0 } == true ? "k2" : "k1")
            var entry = AuditEntry(sequence: Int64(sequence), occurredAt: Date(timeIntervalSince1970: Double(sequence)),
                                   actorUserID: 7, actorUsername: "jo", action: .view, subjectType: "case",
                                   subjectID: String(sequence), detail: "", clientAddress: "127.0.0.1",
                                   previousHash: previous, keyID: keyID)
            entry.hash = keyID.isEmpty ? hash(entry.canonicalText) : mac(keyID, entry.canonicalText)!
            previous = entry.hash
            entries.append(entry)
        }
        return entries
    }

    /// What someone without the key does after changing entry `from`: recomputes it and every later hash with
    /// plain SHA-256, as the entries before the key were made.
    static func rehashPlain(_ entries: inout [AuditEntry], from index: Int) {
        var previous = index == 0 ? AuditEntry.genesisHash : entries[index - 1].hash
        for position in index..<entries.count {
            entries[position].previousHash = previous
            entries[position].keyID = ""
            entries[position].hash = hash(entries[position].canonicalText)
            previous = entries[position].hash
        }
    }

    func checkpoint(_ entries: [AuditEntry], count: Int, keyID: String = "k1") -> AuditCheckpoint {
        var checkpoint = AuditCheckpoint(at: Date(timeIntervalSince1970: 1_800_000_000), count: Int64(count),
                                         head: count == 0 ? AuditEntry.genesisHash : entries[count - 1].hash, keyID: keyID)
        checkpoint.mac = Self.mac(keyID, checkpoint.canonicalText)!
        return checkpoint
    }

    func hashes(_ entries: [AuditEntry]) -> [Int64: String] {
        Dictionary(uniqueKeysWithValues: entries.map { ($0.sequence, $0.hash) })
    }

    @Test("plain entries from before the key, then keyed ones across a rotation, verify and are counted")
    func intact() {
        var progress = AuditChainVerifier.Progress()
        #expect(verifier.verify(Self.chain(plain: 3, keyed: 6, rotateAt: 7), continuing: &progress) == nil)
        #expect(progress.keyed == 6)
        #expect(progress.plain == 3)
        #expect(progress.firstKeyed == 4)
    }

    @Test("(a) a keyed entry edited and every later hash recomputed with plain SHA-256 is caught where the rewrite begins")
    func rewrittenPlain() {
        var entries = Self.chain(plain: 2, keyed: 20)
        entries[9].detail = "nothing to see"
        Self.rehashPlain(&entries, from: 9)
        // The old verifier (plain SHA-256 only) finds the rewritten part consistent:
        #expect(AuditChainVerifier(hash: Self.hash).verify(Array(entries[9...]), previousHash: entries[8].hash,
                                                           expectedSequence: 10).outcome == .intact(entries: 13))
        guard case .broken(let sequence, let reason) = verifier.verify(entries).outcome else {
            Issue.record("the rewrite was not caught"); return
        }
        #expect(sequence == 10)
        #expect(reason.contains("plain SHA-256") && reason.contains("keyed from entry 3"))
    }

    @Test("a keyed entry edited with its keyed hash left as it was fails its MAC")
    func editedKeyed() {
        var entries = Self.chain(plain: 0, keyed: 5)
        entries[2].subjectID = "99"
        #expect(verifier.verify(entries).outcome == .broken(sequence: 3, reason: "contents do not match the keyed hash (MAC)"))
    }

    @Test("(c) entries deleted in the middle and the rest renumbered and recomputed are caught")
    func deletedInTheMiddle() {
        var entries = Self.chain(plain: 1, keyed: 15)
        entries.removeSubrange(5..<8)
        for index in entries.indices { entries[index].sequence = Int64(index + 1) }
        Self.rehashPlain(&entries, from: 5)
        guard case .broken(let sequence, let reason) = verifier.verify(entries).outcome else {
            Issue.record("the deletion was not caught"); return
        }
        #expect(sequence == 6)
        #expect(reason.contains("rewritten by someone without the audit key"))
    }

    @Test("(c) entries deleted in the middle and left as they are are caught as missing")
    func deletedNotRenumbered() {
        var entries = Self.chain(plain: 0, keyed: 10)
        entries.removeSubrange(3..<5)
        #expect(verifier.verify(entries).outcome == .broken(sequence: 6, reason: "entry 4 is missing (found 6 next)"))
    }

    @Test("(b) the newest entries removed (and the head moved back) are caught by a checkpoint that counted them")
    func truncated() {
        let entries = Self.chain(plain: 2, keyed: 30)
        let checkpoints = [AuditChainVerifier.NumberedCheckpoint(line: 1, checkpoint: checkpoint(entries, count: 20)),
                           AuditChainVerifier.NumberedCheckpoint(line: 2, checkpoint: checkpoint(entries, count: 32))]
        let kept = Array(entries.prefix(22))
        // The chain alone is consistent:
        #expect(verifier.verify(kept).outcome == .intact(entries: 22))
        #expect(AuditChainVerifier.checkCheckpoints(checkpoints, chainLength: 22, hashAfter: hashes(kept), mac: Self.mac)
                == "checkpoint line 2 records 32 entries, but the chain has only 22: entries were removed from the end")
        #expect(AuditChainVerifier.checkCheckpoints(checkpoints, chainLength: 32, hashAfter: hashes(entries), mac: Self.mac) == nil)
    }

    @Test("(d) a forged checkpoint line, or one with its count changed, fails its MAC")
    func forgedCheckpoint() {
        let entries = Self.chain(plain: 0, keyed: 10)
        var forged = checkpoint(entries, count: 8)
        forged.mac = Self.hash("made up")
        var altered = checkpoint(entries, count: 10)
        altered.count = 9
        altered.head = entries[8].hash
        for bad in [forged, altered] {
            let lines = [AuditChainVerifier.NumberedCheckpoint(line: 1, checkpoint: checkpoint(entries, count: 5)),
                         AuditChainVerifier.NumberedCheckpoint(line: 2, checkpoint: bad)]
            #expect(AuditChainVerifier.checkCheckpoints(lines, chainLength: 10, hashAfter: hashes(entries), mac: Self.mac)
                    == "checkpoint line 2 is forged or altered: its MAC does not match")
        }
        var unknown = checkpoint(entries, count: 5)
        unknown.keyID = "k9"
        #expect(AuditChainVerifier.checkCheckpoints([.init(line: 1, checkpoint: unknown)], chainLength: 10, hashAfter: hashes(entries),
                                                    mac: Self.mac)?.contains("key id k9, which the audit key file does not hold") == true)
    }

    @Test("a chain rewritten as plain from its very first keyed entry no longer holds a checkpoint's head")
    func wholeKeyedPartRewritten() {
        var entries = Self.chain(plain: 3, keyed: 10)
        let signed = [AuditChainVerifier.NumberedCheckpoint(line: 1, checkpoint: checkpoint(entries, count: 13))]
        entries[5].detail = "changed"
        Self.rehashPlain(&entries, from: 3)
        #expect(verifier.verify(entries).outcome == .intact(entries: 13), "all plain now: the chain alone cannot tell")
        #expect(AuditChainVerifier.checkCheckpoints(signed, chainLength: 13, hashAfter: hashes(entries), mac: Self.mac)
                == "entry 13 is not the one checkpoint line 1 recorded: the chain was rewritten up to there")
    }

    @Test("keyed entries cannot be passed without the key, nor with a key file that lacks their key")
    func keyNeeded() {
        let entries = Self.chain(plain: 1, keyed: 2)
        guard case .broken(2, let reason) = AuditChainVerifier(hash: Self.hash).verify(entries).outcome else {
            Issue.record("keyed entries passed without a key"); return
        }
        #expect(reason.contains("no audit key file was given"))
        let onlyK2 = AuditChainVerifier(hash: Self.hash, mac: { id, text in id == "k2" ? Self.mac(id, text) : nil })
        #expect(onlyK2.verify(entries).outcome == .broken(sequence: 2, reason: "the entry is keyed with key id k1, which the audit key file does not hold"))
        #expect(AuditChainVerifier.checkCheckpoints([], chainLength: 3, hashAfter: [:], mac: nil)?.contains("--key-file") == true)
    }

    @Test("a keyed entry's hashed text covers its key id; a plain entry's text is as it always was")
    func canonicalText() {
        var entry = Self.chain(plain: 1, keyed: 0)[0]
        let plain = entry.canonicalText
        #expect(plain.hasPrefix("2:v1|"))
        entry.keyID = "k1"
        #expect(entry.canonicalText.hasPrefix("2:v2|"))
        #expect(entry.canonicalText.hasSuffix("|2:k1"))
    }

    @Test("a checkpoint is one JSON line with at, count, head, key_id and mac, and reads back the same")
    func checkpointLine() throws {
        let entries = Self.chain(plain: 0, keyed: 3)
        let original = checkpoint(entries, count: 3)
        let line = original.jsonLine
        #expect(!line.contains("\n"))
        #expect(line.hasPrefix("{\"at\":\"2027-01-15T08:00:00Z\",\"count\":3,\"head\":\""))
        #expect(line.contains("\"key_id\":\"k1\",\"mac\":\""))
        #expect(AuditCheckpoint(jsonLine: line) == original)
        #expect(AuditCheckpoint(jsonLine: "{\"count\":3}") == nil)
        #expect(AuditCheckpoint(jsonLine: "not json") == nil)
    }
}
