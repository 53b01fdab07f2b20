import Foundation
import Testing
@testable import Domain

@Suite("Audit chain verification")
struct AuditChainTests {
    /// A stand-in hash: the domain does no cryptography, so any deterministic function shows the logic.
    static let hash: @Sendable (String) -> String = { text in
        var value: UInt64 = 1469598103934665603
        for byte in text.utf8 { value = (value ^ UInt64(byte)) &* 1099511628211 }
        return String(value, radix: 16)
    }
    let verifier = AuditChainVerifier(hash: AuditChainTests.hash)

    func chain(_ count: Int) -> [AuditEntry] {
        var entries: [AuditEntry] = []
        var previous = AuditEntry.genesisHash
        for sequence in 1...count {
            var entry = AuditEntry(sequence: Int64(sequence), occurredAt: Date(timeIntervalSince1970: Double(sequence)),
                                   actorUserID: 7, actorUsername: "jo", action: .view, subjectType: "case",
                                   subjectID: String(sequence), detail: "", clientAddress: "127.0.0.1",
                                   previousHash: previous)
            entry.hash = Self.hash(entry.canonicalText)
            previous = entry.hash
            entries.append(entry)
        }
        return entries
    }

    @Test("an untouched chain is intact")
    func intact() {
        #expect(verifier.verify(chain(5)).outcome == .intact(entries: 5))
    }

    @Test("an edited entry is found by its sequence number")
    func edited() {
        var entries = chain(5)
        entries[2].detail = "edited"
        #expect(verifier.verify(entries).outcome == .broken(sequence: 3, reason: "contents do not match the stored hash"))
    }

    @Test("an edit that also recomputes the entry's own hash breaks the next link")
    func rehashed() {
        var entries = chain(5)
        entries[2].subjectID = "99"
        entries[2].hash = Self.hash(entries[2].canonicalText)
        #expect(verifier.verify(entries).outcome == .broken(sequence: 4, reason: "link to the previous entry does not match"))
    }

    @Test("a deleted entry in the middle is found")
    func deleted() {
        var entries = chain(5)
        entries.remove(at: 1)
        #expect(verifier.verify(entries).outcome == .broken(sequence: 3, reason: "entry 2 is missing (found 3 next)"))
    }

    @Test("a chain checked in pages gives the same answer as in one go")
    func paged() {
        let entries = chain(7)
        let first = verifier.verify(Array(entries[0..<4]))
        let second = verifier.verify(Array(entries[4...]), previousHash: first.lastHash, expectedSequence: first.nextSequence)
        #expect(second.outcome == .intact(entries: 3))
    }

    @Test("fields cannot be shifted between each other without changing the hashed text")
    func canonicalIsUnambiguous() {
        var a = chain(1)[0]
        var b = a
        a.subjectType = "case|1"
        a.subjectID = ""
        b.subjectType = "case"
        b.subjectID = "1|"
        #expect(a.canonicalText != b.canonicalText)
    }
}
