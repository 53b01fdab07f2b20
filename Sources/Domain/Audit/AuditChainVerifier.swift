import Foundation

/// Checks a chain of entries given a hash function and, for keyed entries, a keyed hash (the domain does no
/// cryptography itself).
///
/// Plain SHA-256 entries can be recomputed by anyone who can write the database file; keyed ones (HMAC-SHA-256
/// with a key kept outside the database) cannot. So once an entry is keyed, every later entry must be keyed too:
/// a plain entry after a keyed one is a rewrite by someone without the key. What a chain alone cannot show
/// (its newest entries removed, or the whole keyed part rewritten) the signed checkpoints kept outside the
/// database show (`checkCheckpoints`).
public struct AuditChainVerifier: Sendable {
    public enum Outcome: Sendable, Equatable {
        case intact(entries: Int)
        /// The first entry whose stored hash or link does not match, and why.
        case broken(sequence: Int64, reason: String)
    }

    /// How far a paged walk has come: the next entry expected, the link it must carry, and what was counted.
    public struct Progress: Sendable, Equatable {
        public var previousHash: String
        public var nextSequence: Int64
        public var keyed = 0
        public var plain = 0
        /// The first keyed entry; every entry after it must be keyed.
        public var firstKeyed: Int64?

        public init(previousHash: String = AuditEntry.genesisHash, nextSequence: Int64 = 1) {
            self.previousHash = previousHash
            self.nextSequence = nextSequence
        }
    }

    let hash: @Sendable (String) -> String
    /// The keyed hash of a text under the key with that id; nil when no key of that id is known.
    let mac: (@Sendable (_ keyID: String, _ text: String) -> String?)?

    /// `mac`: nil when no key file was given, so keyed entries cannot be checked (and are reported as such).
    public init(hash: @escaping @Sendable (String) -> String,
                mac: (@Sendable (_ keyID: String, _ text: String) -> String?)? = nil) {
        self.hash = hash
        self.mac = mac
    }

    /// Verifies entries in sequence order, continuing from `previousHash` and `expectedSequence` so a long chain
    /// can be checked in pages.
    public func verify(_ entries: [AuditEntry], previousHash: String = AuditEntry.genesisHash,
                       expectedSequence: Int64 = 1) -> (outcome: Outcome, lastHash: String, nextSequence: Int64) {
        var progress = Progress(previousHash: previousHash, nextSequence: expectedSequence)
        let outcome = verify(entries, continuing: &progress)
        return (outcome ?? .intact(entries: Int(progress.nextSequence - expectedSequence)), progress.previousHash,
                progress.nextSequence)
    }

    /// Verifies one page of entries from where `progress` stands and moves it on; the first problem, or nil.
    public func verify(_ entries: [AuditEntry], continuing progress: inout Progress) -> Outcome? {
        for entry in entries {
            if entry.sequence != progress.nextSequence {
                return .broken(sequence: entry.sequence,
                               reason: "entry \(progress.nextSequence) is missing (found \(entry.sequence) next)")
            }
            if entry.previousHash != progress.previousHash {
                return .broken(sequence: entry.sequence, reason: "link to the previous entry does not match")
            }
            if entry.keyID.isEmpty {
                if let firstKeyed = progress.firstKeyed {
                    return .broken(sequence: entry.sequence, reason: "the entry is plain SHA-256, but the chain is keyed "
                                   + "from entry \(firstKeyed) on: it was rewritten by someone without the audit key")
                }
                if hash(entry.canonicalText) != entry.hash {
                    return .broken(sequence: entry.sequence, reason: "contents do not match the stored hash")
                }
                progress.plain += 1
            } else {
                guard let mac else {
                    return .broken(sequence: entry.sequence, reason: "the entry is keyed (key id \(entry.keyID)) and no "
                                   + "audit key file was given to check it (--key-file)")
                }
                guard let expected = mac(entry.keyID, entry.canonicalText) else {
                    return .broken(sequence: entry.sequence, reason: "the entry is keyed with key id \(entry.keyID), "
                                   + "which the audit key file does not hold")
                }
                if expected != entry.hash {
                    return .broken(sequence: entry.sequence, reason: "contents do not match the keyed hash (MAC)")
                }
                progress.keyed += 1
                if progress.firstKeyed == nil { progress.firstKeyed = entry.sequence }
            }
            progress.previousHash = entry.hash
            progress.nextSequence += 1
        }
        return nil
    }

    /// A checkpoint as read from the checkpoint file, with the line it was on.
    public struct NumberedCheckpoint: Sendable, Equatable {
        public var line: Int
        public var checkpoint: AuditCheckpoint
        public init(line: Int, checkpoint: AuditCheckpoint) {
            self.line = line
            self.checkpoint = checkpoint
        }
    }

    /// Checks each checkpoint's MAC, then that the chain (of `chainLength` entries, whose hash after entry n is
    /// `hashAfter[n]`, the genesis hash for 0) still holds each checkpoint's count and head. Returns the first
    /// problem in plain words, or nil. `mac` as in `init`; checkpoints cannot be checked without it.
    public static func checkCheckpoints(_ checkpoints: [NumberedCheckpoint], chainLength: Int64, hashAfter: [Int64: String],
                                        mac: (@Sendable (_ keyID: String, _ text: String) -> String?)?) -> String? {
        guard let mac else { return "the checkpoints cannot be checked without the audit key file (--key-file)" }
        for numbered in checkpoints {
            let checkpoint = numbered.checkpoint
            guard let expected = mac(checkpoint.keyID, checkpoint.canonicalText) else {
                return "checkpoint line \(numbered.line) is signed with key id \(checkpoint.keyID), which the audit key file does not hold"
            }
            if expected != checkpoint.mac {
                return "checkpoint line \(numbered.line) is forged or altered: its MAC does not match"
            }
        }
        for numbered in checkpoints {
            let checkpoint = numbered.checkpoint
            if checkpoint.count > chainLength {
                return "checkpoint line \(numbered.line) records \(checkpoint.count) entries, but the chain has only "
                    + "\(chainLength): entries were removed from the end"
            }
            let head = checkpoint.count == 0 ? AuditEntry.genesisHash : hashAfter[checkpoint.count]
            if head != checkpoint.head {
                return "entry \(checkpoint.count) is not the one checkpoint line \(numbered.line) recorded: "
                    + "the chain was rewritten up to there"
            }
        }
        return nil
    }
}

/// A signed record of the chain's length and head, written outside the database (one JSON line each, for a SIEM
/// to collect): whoever rewrites or truncates the chain in the database cannot also rewrite what was sent away,
/// nor forge a new line without the key.
public struct AuditCheckpoint: Sendable, Equatable, Codable {
    public var at: Date
    public var count: Int64
    public var head: String
    public var keyID: String
    public var mac: String

    public init(at: Date, count: Int64, head: String, keyID: String, mac: String = "") {
        self.at = at
        self.count = count
        self.head = head
        self.keyID = keyID
        self.mac = mac
    }

    enum CodingKeys: String, CodingKey {
        case at, count, head, keyID = "key_id", mac
    }

    /// The exact text the MAC covers: every field but `mac`, length-prefixed as the entries' are.
    public var canonicalText: String {
        ["checkpoint-v1", Self.timestamp(at), String(count), head, keyID].map { "\($0.utf8.count):\($0)" }
            .joined(separator: "|")
    }

    /// UTC, whole seconds: what the line shows, and what the MAC covers.
    static func timestamp(_ date: Date) -> String {
        date.formatted(.iso8601.year().month().day().time(includingFractionalSeconds: false).timeZone(separator: .omitted))
    }

    /// One line of the checkpoint file (without its newline): `{"at":…,"count":…,"head":…,"key_id":…,"mac":…}`.
    public var jsonLine: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(Self.timestamp(date))
        }
        // Encoding these five plain fields cannot fail.
        return String(decoding: (try? encoder.encode(self)) ?? Data(), as: UTF8.self)
    }

    /// Reads one line of the checkpoint file; nil when it is not a checkpoint.
    public init?(jsonLine: String) {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let text = try decoder.singleValueContainer().decode(String.self)
            guard let date = try? Date(text, strategy: .iso8601) else {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a timestamp"))
            }
            return date
        }
        guard let decoded = try? decoder.decode(AuditCheckpoint.self, from: Data(jsonLine.utf8)) else { return nil }
        self = decoded
    }
}
