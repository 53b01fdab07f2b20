import Crypto
import Database
import Domain
import Foundation
import Synchronization

/// Group commit for standalone audit entries: a caller queues its entry and waits; whoever finds no commit in
/// progress takes every queued entry and commits them in one transaction, then wakes the callers it committed
/// for and hands the next commit to the first caller still waiting. Under load a commit carries the entries that
/// arrived since the previous one began, and commits are spaced (`spacing`); alone, an entry commits at once.
/// Nobody returns before their own entry is committed, so a served page is always on the trail. Each caller is
/// woken once, by name: waking them all at every commit (a broadcast) sent most back to sleep, two context
/// switches each for nothing.
/// Call it outside any write transaction of the same database (a nested write is refused anyway).
final class AuditGroupCommit: @unchecked Sendable {
    /// One entry waiting to be committed. `done` and `error` are set by the committing thread before it signals
    /// `wake`, which orders those writes before the waiter's reads.
    final class Entry: @unchecked Sendable {
        let pending: AuditTrail.Pending
        var done = false
        var error: (any Error)?
        /// Signalled once: when the entry is committed (or failed), or when its caller is to commit next.
        let wake = DispatchSemaphore(value: 0)

        init(_ pending: AuditTrail.Pending) { self.pending = pending }
    }

    /// The most entries in one transaction, so one commit stays short.
    static let maximumBatch = 256
    // `queue` and `committing` are only touched with `lock` held: the safety argument for @unchecked.
    private let lock = NSLock()
    private var queue: [Entry] = []
    private var committing = false
    /// When the last commit started (DispatchTime nanoseconds) and how many entries it carried.
    private var lastCommitStarted: UInt64 = 0
    private var lastBatchSize = 0
    /// Under load, commits start at most this often (nanoseconds); see `commit`.
    let spacing: UInt64

    /// How long after one commit the next may start while entries arrive together.
    static let defaultSpacing: Duration = .milliseconds(5)

    init(spacing: Duration) {
        let (seconds, attoseconds) = spacing.components
        self.spacing = UInt64(seconds) * 1_000_000_000 + UInt64(attoseconds / 1_000_000_000)
    }

    /// Queues `entry` and returns once it is committed (or throws why it was not). `write` commits a batch in
    /// one transaction; when a batch fails, its entries are retried one by one so that one bad entry (a value
    /// the database refuses, say) fails only its own caller.
    func commit(_ entry: Entry, _ write: ([Entry]) throws -> Void) throws {
        lock.lock()
        queue.append(entry)
        if committing {
            lock.unlock()
            entry.wake.wait()
            if entry.done {
                if let error = entry.error { throw error }
                return
            }
            // Not done, so handed the next commit: `committing` stayed true for this caller.
            lock.lock()
        }
        committing = true
        // While requests arrive together (the last commit carried more than one entry), the next commit waits
        // until `spacing` after the last one began, gathering the entries that arrive meanwhile. Every commit
        // makes SQLite's readers drop their page caches; one per request (about four entries each, at 5,000 page
        // views a second) had the search page reading its pages from the file again on nearly every request.
        // A lone entry, or the first after a quiet spell, is committed at once.
        let now = DispatchTime.now().uptimeNanoseconds
        if lastBatchSize > 1, now - lastCommitStarted < spacing {
            lock.unlock()
            usleep(useconds_t((spacing - (now - lastCommitStarted)) / 1000))
            lock.lock()
        }
        lastCommitStarted = DispatchTime.now().uptimeNanoseconds
        let batch = Array(queue.prefix(Self.maximumBatch))
        lastBatchSize = batch.count
        queue.removeFirst(batch.count)
        lock.unlock()
        Self.commit(batch, write)
        lock.lock()
        let next = queue.first
        if next == nil { committing = false }
        lock.unlock()
        for waiting in batch where waiting !== entry { waiting.wake.signal() }
        next?.wake.signal()
        if let error = entry.error { throw error }
    }

    private static func commit(_ batch: [Entry], _ write: ([Entry]) throws -> Void) {
        do {
            try write(batch)
        } catch {
            guard batch.count > 1 else {
                batch[0].error = error
                batch[0].done = true
                return
            }
            for entry in batch {
                do { try write([entry]) } catch let single { entry.error = single }
            }
        }
        for entry in batch { entry.done = true }
    }
}
