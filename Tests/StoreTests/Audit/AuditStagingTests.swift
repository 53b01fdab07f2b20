import Database
import Domain
import Foundation
import Synchronization
@testable import Store
import Testing
import TestSupport

/// `mappa serve` on SQLite commits views, refusals and exports to a staging file and chains them every second.
/// A staged entry must already be on record, must reach the chain exactly once, with the time it happened, in
/// the order it happened, whatever crashes or other processes do in between.
@Suite("Audit staging")
struct AuditStagingTests {
    let test: TestDatabase
    let clock = ManualClock()
    var path: String { (test.driver as! SQLiteDatabase).path }
    /// The chain as a reader without staging sees it: only what has been chained.
    var chained: AuditTrail { AuditTrail(database: test.database) }

    init() throws {
        test = try TestDatabase(.sqlite)
    }

    func view(_ audit: AuditTrail, _ subject: String) throws {
        try audit.record(actor: Actor(userID: 7, username: "coordinator", clientAddress: "10.0.0.5"), action: .view,
                         subjectType: "case", subjectID: subject)
    }

    @Test("a staged view is on record at once, and is chained later with the time it happened, in order")
    func stagedThenChained() throws {
        let staging = try AuditStaging(besides: path)
        let audit = AuditTrail(database: test.database, clock: clock.clock, staging: staging)
        let before = try chained.count()
        let viewedAt = clock.now
        for subject in ["11", "12", "13"] {
            try view(audit, subject)
            clock.advance(by: 60)
        }
        #expect(try staging.waiting() == 3)
        #expect(try chained.count() == before, "not chained yet")
        // As after a crash: the file opened afresh still holds them.
        #expect(try AuditStaging(besides: path).waiting() == 3)

        clock.advance(by: 600)
        let recent = try audit.recent(limit: 3)
        #expect(recent.map(\.subjectID) == ["13", "12", "11"])
        #expect(recent.map(\.occurredAt) == [viewedAt + 120, viewedAt + 60, viewedAt])
        #expect(recent.allSatisfy { $0.actorUsername == "coordinator" && $0.clientAddress == "10.0.0.5" && $0.actorUserID == 7 })
        #expect(try staging.waiting() == 0)
        #expect(try chained.verify() == .intact(entries: before + 3))
    }

    @Test("a crash after the chaining commits but before the staging file is cleared chains nothing twice")
    func crashBeforeClearing() throws {
        let staging = try AuditStaging(besides: path)
        let audit = AuditTrail(database: test.database, clock: clock.clock, staging: staging)
        let before = try chained.count()
        for subject in ["21", "22"] { try view(audit, subject) }
        let copy = path + "-copy"
        try staging.database.backup(to: copy)
        #expect(try audit.moveStaged() == 2)
        // The staging file as it was before the clearing: the same entries, the same ids, the same identity.
        try staging.database.restore(from: copy)
        #expect(try staging.waiting() == 2)
        #expect(try audit.moveStaged() == 0)
        #expect(try staging.waiting() == 0)
        try view(audit, "23")
        #expect(try audit.moveStaged() == 1)
        #expect(try chained.recent(limit: 3).map(\.subjectID) == ["23", "22", "21"])
        #expect(try chained.verify() == .intact(entries: before + 3))
    }

    @Test("a staging file made afresh numbers its entries from 1 again, and they are chained all the same")
    func freshStagingFile() throws {
        let before = try chained.count()
        do {
            let audit = AuditTrail(database: test.database, clock: clock.clock, staging: try AuditStaging(besides: path))
            for subject in ["31", "32", "33"] { try view(audit, subject) }
            #expect(try audit.moveStaged() == 3)
        }
        for suffix in ["", "-wal", "-shm"] {
            try? FileManager.default.removeItem(atPath: AuditStaging.path(besides: path) + suffix)
        }
        let audit = AuditTrail(database: test.database, clock: clock.clock, staging: try AuditStaging(besides: path))
        for subject in ["34", "35"] { try view(audit, subject) }
        #expect(try audit.moveStaged() == 2)
        #expect(try chained.recent(limit: 5).map(\.subjectID) == ["35", "34", "33", "32", "31"])
        #expect(try chained.verify() == .intact(entries: before + 5))
    }

    @Test("the server's mover chains staged entries as it goes, and what is left when it stops")
    func mover() throws {
        let staging = try AuditStaging(besides: path)
        let audit = AuditTrail(database: test.database, clock: clock.clock, staging: staging)
        let before = try chained.count()
        AuditStagingMover(audit: audit).stop()  // never started: returns at once
        let mover = AuditStagingMover(audit: audit, interval: 0.05)
        mover.start()
        for subject in ["41", "42", "43"] { try view(audit, subject) }
        let deadline = Date().addingTimeInterval(10)
        while try staging.waiting() > 0, Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        #expect(try staging.waiting() == 0)
        #expect(try chained.count() == before + 3)
        mover.stop()
        // A mover between two rounds chains what waits when it is stopped, without waiting out its interval.
        let slow = AuditStagingMover(audit: audit, interval: 60)
        slow.start()
        for subject in ["44", "45"] { try view(audit, subject) }
        let stopping = Date()
        slow.stop()
        #expect(Date().timeIntervalSince(stopping) < 10)
        #expect(try staging.waiting() == 0)
        #expect(try chained.recent(limit: 5).map(\.subjectID) == ["45", "44", "43", "42", "41"])
    }

    @Test("two processes recording and chaining at once (a server and a command) chain every entry exactly once")
    func concurrentMovers() throws {
        // Two trails with their own handles on the same two files, as two processes have.
        let first = AuditTrail(database: test.database, clock: clock.clock, staging: try AuditStaging(besides: path))
        let second = AuditTrail(database: try SQLiteDatabase(path: path, readers: 1), clock: clock.clock,
                                staging: try AuditStaging(besides: path))
        let before = try chained.count()
        let threads = 8, perThread = 40
        let failures = Counter()
        let done = Atomic<Bool>(false)
        let movers = DispatchGroup()
        for mover in [first, second] {
            movers.enter()
            Thread.detachNewThread {
                while !done.load(ordering: .acquiring) {
                    do { try mover.moveStaged(batchSize: 7) } catch { failures.add() }
                }
                movers.leave()
            }
        }
        DispatchQueue.concurrentPerform(iterations: threads) { thread in
            for index in 0..<perThread {
                do { try view(thread % 2 == 0 ? first : second, "\(thread)-\(index)") } catch { failures.add() }
            }
        }
        done.store(true, ordering: .releasing)
        movers.wait()
        try first.moveStaged()
        #expect(failures.value == 0)
        let subjects = try chained.recent(limit: threads * perThread + 10, subjectType: "case").map(\.subjectID)
        #expect(subjects.count == threads * perThread)
        #expect(Set(subjects).count == threads * perThread)
        #expect(try chained.verify() == .intact(entries: before + threads * perThread))
    }
}
