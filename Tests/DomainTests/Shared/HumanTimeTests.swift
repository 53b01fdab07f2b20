import Foundation
import Testing
@testable import Domain

/// Moments shown the GOV.UK way in UK time: BST in summer, GMT in winter, midday and midnight in words.
@Suite struct HumanTimeTests {
    func at(_ text: String) -> Date { HumanTime.parse(text)! }

    @Test func aWinterAfternoonIsGMT() {
        #expect(HumanTime.text(at("2026-12-07T15:33:54Z")) == "7 December 2026 at 3:33pm")
        #expect(HumanTime.text(at("2026-12-07T09:05:00Z")) == "7 December 2026 at 9:05am")
        #expect(HumanTime.text(at("2026-12-07T15:00:00Z")) == "7 December 2026 at 3pm")
    }

    @Test func summerTimeIsAnHourAhead() {
        #expect(HumanTime.text(at("2026-07-01T15:33:00Z")) == "1 July 2026 at 4:33pm")
        #expect(HumanTime.text(at("2026-07-01T23:30:00Z")) == "2 July 2026 at 12:30am", "the UK date, not the UTC one")
        #expect(HumanTime.day(at("2026-07-01T23:30:00Z")) == "2 July 2026")
    }

    @Test func theChangeoversAtOneInTheMorningGMT() {
        // 2026: BST from 29 March 01:00 UTC to 25 October 01:00 UTC.
        #expect(HumanTime.text(at("2026-03-29T00:59:00Z")) == "29 March 2026 at 12:59am")
        #expect(HumanTime.text(at("2026-03-29T01:00:00Z")) == "29 March 2026 at 2am")
        #expect(HumanTime.text(at("2026-10-25T00:59:00Z")) == "25 October 2026 at 1:59am")
        #expect(HumanTime.text(at("2026-10-25T01:00:00Z")) == "25 October 2026 at 1am")
        #expect(HumanTime.ukOffset(at: at("2027-03-28T01:00:00Z")) == 3_600, "2027's last Sunday in March is the 28th")
        #expect(HumanTime.ukOffset(at: at("2027-03-27T12:00:00Z")) == 0)
    }

    @Test func middayAndMidnightAreWords() {
        #expect(HumanTime.text(at("2026-12-07T12:00:00Z")) == "7 December 2026 at midday")
        #expect(HumanTime.text(at("2026-12-07T00:00:00Z")) == "7 December 2026 at midnight")
        #expect(HumanTime.text(at("2026-06-07T11:00:00Z")) == "7 June 2026 at midday", "midday BST")
        #expect(HumanTime.text(at("2026-12-07T12:01:00Z")) == "7 December 2026 at 12:01pm")
        #expect(HumanTime.text(at("2026-12-07T00:01:00Z")) == "7 December 2026 at 12:01am")
    }

    @Test func onlyStoredTimestampsAreRead() {
        #expect(HumanTime.parse("2026-12-07T15:33:54Z") == Date(timeIntervalSince1970: 1_796_657_634))
        #expect(HumanTime.parse("2026-12-07 15:33:54") != nil)
        #expect(HumanTime.parse("2026-12-07") == nil)
        #expect(HumanTime.parse("2026-12-07T25:33:54Z") == nil)
        #expect(HumanTime.parse("2026-12-07T15:33:54+05:00") == nil)
        #expect(HumanTime.parse("yesterday at noon") == nil)
    }
}
