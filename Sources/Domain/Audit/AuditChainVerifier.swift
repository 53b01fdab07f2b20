import Foundation

/// Checks a chain of entries given a hash function (the domain does no cryptography itself).
public struct AuditChainVerifier: Sendable {
    public enum Outcome: Sendable, Equatable {
        case intact(entries: Int)
        /// The first entry whose stored hash or link does not match, and why.
        case broken(sequence: Int64, reason: String)
    }

    let hash: @Sendable (String) -> String
    public init(hash: @escaping @Sendable (String) -> String) { self.hash = hash }

    /// Verifies entries in sequence order, continuing from `previousHash` and `expectedSequence` so a long chain
    /// can be checked in pages.
    public func verify(_ entries: [AuditEntry], previousHash: String = AuditEntry.genesisHash,
                       expectedSequence: Int64 = 1) -> (outcome: Outcome, lastHash: String, nextSequence: Int64) {
        var previous = previousHash
        var expected = expectedSequence
        for entry in entries {
            if entry.sequence != expected {
                return (.broken(sequence: entry.sequence,
                                reason: "entry \(expected) is missing (found \(entry.sequence) next)"), previous, expected)
            }
            if entry.previousHash != previous {
                return (.broken(sequence: entry.sequence, reason: "link to the previous entry does not match"),
                        previous, expected)
            }
            if hash(entry.canonicalText) != entry.hash {
                return (.broken(sequence: entry.sequence, reason: "contents do not match the stored hash"),
                        previous, expected)
            }
            previous = entry.hash
            expected += 1
        }
        return (.intact(entries: Int(expected - expectedSequence)), previous, expected)
    }
}
