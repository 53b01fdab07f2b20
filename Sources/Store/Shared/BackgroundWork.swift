import Dispatch
import Synchronization

/// Work started on another core now and collected later, for a long job with a part that needs nothing from the
/// rest until the end (a register import works out its search keys while its writer inserts the rows).
final class BackgroundWork<Value: Sendable>: Sendable {
    private let finished = DispatchSemaphore(value: 0)
    private let outcome = Mutex<Result<Value, any Error>?>(nil)

    init(_ work: @escaping @Sendable () throws -> Value) {
        DispatchQueue.global(qos: .userInitiated).async { [self] in
            let result = Result { try work() }
            outcome.withLock { $0 = result }
            finished.signal()
        }
    }

    /// Waits until the work is done; its value, or the error it threw.
    func value() throws -> Value {
        finished.wait()
        finished.signal() // a later call does not wait again
        return try outcome.withLock { $0! }.get()
    }
}
