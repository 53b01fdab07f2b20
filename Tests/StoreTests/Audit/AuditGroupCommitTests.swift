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

    @Test("while entries arrive together commits are spaced and carry several entries; a lone entry is committed at once",
          arguments: DatabaseKind.available)
    func spacedCommits(kind: DatabaseKind) throws {
        let test = try TestDatabase(kind)
        // A spacing far longer than any test step: a lone entry that waited for it would show plainly.
        let audit = AuditTrail(database: test.database, commitSpacing: .seconds(30))
        let before = try audit.count()
        let started = Date()
        for index in 0..<5 {
            try audit.record(actor: .commandLine, action: .view, subjectType: "case", subjectID: "alone-\(index)")
        }
        #expect(Date().timeIntervalSince(started) < 10, "one caller at a time: each entry committed at once")

        let spaced = AuditTrail(database: test.database, commitSpacing: .milliseconds(200))
        let threads = 8, perThread = 5
        let go = DispatchSemaphore(value: 0), done = DispatchGroup()
        for thread in 0..<threads {
            done.enter()
            Thread.detachNewThread {
                go.wait()
                for index in 0..<perThread {
                    try? spaced.record(actor: .commandLine, action: .view, subjectType: "case", subjectID: "together-\(thread)-\(index)")
                }
                done.leave()
            }
        }
        // The writer is held for a moment while everyone records, so entries are sure to arrive together.
        let clock = Date()
        try test.database.write { _ in
            for _ in 0..<threads { go.signal() }
            Thread.sleep(forTimeInterval: 0.3)
        }
        done.wait()
        let elapsed = Date().timeIntervalSince(clock)
        #expect(try audit.count() == before + 5 + threads * perThread, "every entry is on the trail")
        #expect(try audit.verify() == .intact(entries: before + 5 + threads * perThread))
        // 40 entries one commit each, spaced 200 ms apart, would take 8 s; gathered, a few spacings. And while
        // they arrive together the commits are spaced: at least one waited after the writer came free.
        #expect(elapsed < 0.3 + 40 * 0.2, "took \(elapsed) s")
        #expect(elapsed >= 0.3 + 0.2, "took \(elapsed) s: no commit waited for the spacing")
    }

    @Test("recording from inside a write is refused at once as a nested write, even while another thread's entry waits for the writer",
          arguments: DatabaseKind.available)
    func insideWrite(kind: DatabaseKind) throws {
        let test = try TestDatabase(kind)
        let audit = AuditTrail(database: test.database)
        let before = try audit.count()
        let writing = DispatchSemaphore(value: 0), finished = DispatchSemaphore(value: 0), otherDone = DispatchSemaphore(value: 0)
        let refusal = Box<DatabaseError?>(nil)
        // Thread A holds the writer; meanwhile thread B's entry starts a group commit, which waits for the writer;
        // then A records. Waiting behind B's group would wait for itself.
        Thread.detachNewThread {
            try? test.database.write { _ in
                writing.signal()
                Thread.sleep(forTimeInterval: 0.3)
                do {
                    try audit.record(actor: .commandLine, action: .view, subjectType: "case", subjectID: "inside")
                } catch let error as DatabaseError {
                    refusal.value = error
                } catch {}
            }
            finished.signal()
        }
        writing.wait()
        Thread.detachNewThread {
            try? audit.record(actor: .commandLine, action: .view, subjectType: "case", subjectID: "other")
            otherDone.signal()
        }
        #expect(finished.wait(timeout: .now() + 10) == .success, "the write inside which the entry was recorded ended")
        #expect(otherDone.wait(timeout: .now() + 10) == .success, "the other thread's entry was committed")
        #expect(refusal.value?.code == .unsupported)
        #expect(try audit.count() == before + 1, "only the entry recorded outside the write")
    }

    @Test("an entry the database refuses fails only its own caller, not the others committed with it")
    func oneBadEntry() throws {
        let group = AuditGroupCommit(spacing: AuditGroupCommit.defaultSpacing)
        let committed = Counter()
        let refused = Counter()
        struct Refused: Error {}
        DispatchQueue.concurrentPerform(iterations: 40) { index in
            let entry = AuditGroupCommit.Entry(.init(actor: .commandLine, action: .view, subjectType: "case",
                                                     subjectID: index == 7 ? "bad" : "\(index)", detail: ""))
            do {
                try group.commit(entry) { batch in
                    if batch.contains(where: { $0.pending.subjectID == "bad" }) { throw Refused() }
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

/// A value shared with another thread in the tests, behind a lock.
final class Box<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: T
    init(_ value: T) { stored = value }
    var value: T {
        get { lock.lock(); defer { lock.unlock() }; return stored }
        set { lock.lock(); stored = newValue; lock.unlock() }
    }
}

/// A thread-safe tally for the concurrent tests.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func add() { lock.lock(); count += 1; lock.unlock() }
    var value: Int { lock.lock(); defer { lock.unlock() }; return count }
}
