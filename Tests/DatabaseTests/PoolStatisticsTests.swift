import Foundation
import Testing
import TestSupport
@testable import Database

/// The pool counts behind the metrics page: every connection taken is counted, and a taker that finds every one in
/// use is counted as a wait, with its time.
@Suite("Connection pool statistics")
struct PoolStatisticsTests {
    @Test("a read that finds the only reader busy, and a write that finds the writer busy, are each counted as a wait")
    func waitsAreCounted() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mappa-pool-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = try SQLiteDatabase(path: directory.appendingPathComponent("pool.sqlite").path, readers: 1)
        try database.write { try $0.execute("CREATE TABLE t (id INTEGER PRIMARY KEY)") }
        func stats(_ name: String) -> PoolStatistics? { database.poolStatistics.first { $0.name == name } }
        let readsBefore = try #require(stats("sqlite_readers"))
        #expect(readsBefore.size == 1 && readsBefore.waits == 0)

        /// Runs `hold` on a thread of its own (a dispatch queue may hold a block back) and returns once it is inside.
        func holdOnAnotherThread(_ hold: @escaping @Sendable (@escaping @Sendable () -> Void) -> Void) -> DispatchSemaphore {
            let inside = DispatchSemaphore(value: 0), done = DispatchSemaphore(value: 0)
            Thread { hold { inside.signal() }; done.signal() }.start()
            inside.wait()
            return done
        }
        let readerHeld = holdOnAnotherThread { inside in
            _ = try? database.read { _ in inside(); Thread.sleep(forTimeInterval: 0.1) }
        }
        try database.read { _ in }
        readerHeld.wait()
        let writerHeld = holdOnAnotherThread { inside in
            _ = try? database.write { _ in inside(); Thread.sleep(forTimeInterval: 0.1) }
        }
        try database.write { _ in }
        writerHeld.wait()

        let reads = try #require(stats("sqlite_readers"))
        #expect(reads.acquisitions == readsBefore.acquisitions + 2)
        #expect(reads.waits == 1)
        #expect(reads.waitNanoseconds > 20_000_000)
        let writes = try #require(stats("sqlite_writer"))
        #expect(writes.waits == 1)
        #expect(writes.acquisitions == 3)
        #expect(writes.waitNanoseconds > 20_000_000)
    }
}
