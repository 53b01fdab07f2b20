import Database
import Domain
import Foundation
@testable import Store
import Testing
import TestSupport

/// Views, refusals and failed sign-ins are recorded through the group commit: many at once must all reach the
/// trail, in one unbroken chain, and a caller must not return before its entry is on record.
@Suite("Audit group commit")
struct AuditGroupCommitTests {
    @Test("entries recorded from many threads at once are all committed, the chain intact", arguments: DatabaseKind.available)
    func concurrentRecords(kind: DatabaseKind) throws {
        let test = try TestDatabase(kind)
        let audit = AuditTrail(database: test.database)
        let before = try audit.count()
        let threads = 12, perThread = 25
        let failures = Counter()
        DispatchQueue.concurrentPerform(iterations: threads) { thread in
            for index in 0..<perThread {
                do {
                    try audit.record(actor: Actor(userID: nil, username: "viewer\(thread)", clientAddress: "127.0.0.1"),
                                     action: .view, subjectType: "case", subjectID: "\(thread)-\(index)")
                    // Returned means committed: this caller's entry is readable now.
                    if try audit.recent(limit: 1, subjectType: "case", subjectID: "\(thread)-\(index)").count != 1 {
                        failures.add()
                    }
                } catch {
                    failures.add()
                }
            }
        }
        #expect(failures.value == 0)
        #expect(try audit.count() == before + threads * perThread)
        #expect(try audit.verify() == .intact(entries: before + threads * perThread))
    }

    @Test("an entry the database refuses fails only its own caller, not the others committed with it")
    func oneBadEntry() throws {
        let group = AuditGroupCommit()
        let committed = Counter()
        let refused = Counter()
        struct Refused: Error {}
        DispatchQueue.concurrentPerform(iterations: 40) { index in
            let entry = AuditGroupCommit.Entry(actor: .commandLine, action: .view, subjectType: "case",
                                               subjectID: index == 7 ? "bad" : "\(index)", detail: "")
            do {
                try group.commit(entry) { batch in
                    if batch.contains(where: { $0.subjectID == "bad" }) { throw Refused() }
                    Thread.sleep(forTimeInterval: 0.001)  // a commit takes time, so others queue behind it
                    for _ in batch { committed.add() }
                }
            } catch {
                refused.add()
            }
        }
        #expect(refused.value == 1)
        #expect(committed.value == 39)
    }
}

/// A thread-safe tally for the concurrent tests.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func add() { lock.lock(); count += 1; lock.unlock() }
    var value: Int { lock.lock(); defer { lock.unlock() }; return count }
}
