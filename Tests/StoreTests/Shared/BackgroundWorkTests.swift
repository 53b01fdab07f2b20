import Dispatch
import Testing
@testable import Store

@Suite("Work on another core")
struct BackgroundWorkTests {
    struct Failure: Error, Equatable { let code: String }

    @Test("the work runs while the caller goes on, and its value can be collected more than once")
    func value() throws {
        let started = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        let work = BackgroundWork { () -> [Int] in
            started.signal()
            release.wait() // held until the caller has shown it is not waiting
            return (1...1000).map { $0 * 2 }
        }
        #expect(started.wait(timeout: .now() + 10) == .success, "the work started without being asked for its value")
        release.signal()
        #expect(try work.value().count == 1000)
        #expect(try work.value().last == 2000)
    }

    @Test("an error thrown by the work is thrown where the value is collected")
    func error() {
        let work = BackgroundWork { () throws -> Int in throw Failure(code: "bad_row") }
        #expect(throws: Failure(code: "bad_row")) { try work.value() }
    }
}
