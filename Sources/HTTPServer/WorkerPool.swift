import Foundation

/// A fixed number of threads that run the handlers' blocking work (SQLite, libpq, argon2), fed by a bounded
/// queue. The event loop hands each complete request here, so the number of requests doing work at once, and
/// the memory they use, is bounded whatever the number of connections.
final class WorkerPool: @unchecked Sendable {
    // `jobs`, `stopping` and `running` are read and written only while holding `condition`: the safety
    // argument for @unchecked Sendable.
    private let condition = NSCondition()
    private var jobs: [(() -> Void)?] = []
    private var head = 0
    private var stopping = false
    private var running = 0
    private var threads: [Thread] = []
    let queueLimit: Int

    init(threads count: Int, queueLimit: Int) {
        self.queueLimit = queueLimit
        for index in 0..<max(1, count) {
            let thread = Thread { [unowned self] in self.work() }
            thread.name = "mappa-worker-\(index)"
            thread.stackSize = 8 * 1024 * 1024
            threads.append(thread)
        }
        condition.lock()
        running = threads.count
        condition.unlock()
        threads.forEach { $0.start() }
    }

    /// Queues a job; false when the queue is full or the pool is stopping (the caller answers "busy").
    func submit(_ job: @escaping () -> Void) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard !stopping, jobs.count - head < queueLimit else { return false }
        jobs.append(job)
        condition.signal()
        return true
    }

    /// Refuses new jobs, lets the queued ones finish, and waits for the threads to end.
    func stop() {
        condition.lock()
        stopping = true
        condition.broadcast()
        while running > 0 { condition.wait() }
        condition.unlock()
    }

    private func work() {
        while true {
            condition.lock()
            while head == jobs.count && !stopping { condition.wait() }
            if head == jobs.count {
                running -= 1
                condition.broadcast()
                condition.unlock()
                return
            }
            // Taken out of the queue, so what it captured (a request's body) is freed when it finishes.
            let job = jobs[head].take()
            head += 1
            if head > 1024 && head * 2 > jobs.count {
                jobs.removeFirst(head)
                head = 0
            }
            condition.unlock()
            job?()
        }
    }
}
