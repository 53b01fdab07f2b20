import Foundation

/// Moments as the pages show them, the GOV.UK way, in UK time (GMT, or BST from 1am GMT on the last Sunday in March to
/// 1am GMT on the last Sunday in October): "7 December 2026", "7 December 2026 at 3:33pm", "at 3pm", "at midday",
/// "at midnight". https://www.gov.uk/guidance/style-guide/a-to-z#times — the one formatter every page uses; exports
/// and the API keep machine timestamps.
public enum HumanTime {
    /// Seconds UK time is ahead of UTC at `date`: 3600 in British Summer Time, else 0.
    public static func ukOffset(at date: Date) -> Int {
        let utcDay = CalendarDate(date)
        let start = lastSunday(month: 3, year: utcDay.year), end = lastSunday(month: 10, year: utcDay.year)
        let seconds = date.timeIntervalSince1970
        let bstStarts = Double(start.daysSinceEpoch) * 86_400 + 3_600
        let bstEnds = Double(end.daysSinceEpoch) * 86_400 + 3_600
        return seconds >= bstStarts && seconds < bstEnds ? 3_600 : 0
    }

    /// The UK calendar date at `date`.
    public static func ukDate(_ date: Date) -> CalendarDate {
        CalendarDate(date.addingTimeInterval(TimeInterval(ukOffset(at: date))))
    }

    /// "7 December 2026": the UK date of the moment.
    public static func day(_ date: Date) -> String { ukDate(date).displayText }

    /// "7 December 2026 at 3:33pm", in UK time.
    public static func text(_ date: Date) -> String { "\(day(date)) at \(clock(date))" }

    /// "3:33pm", "3pm", "midday" or "midnight", in UK time.
    public static func clock(_ date: Date) -> String {
        let local = Int((date.timeIntervalSince1970 + TimeInterval(ukOffset(at: date))).rounded(.down))
        let secondsOfDay = ((local % 86_400) + 86_400) % 86_400
        let hour = secondsOfDay / 3_600, minute = secondsOfDay % 3_600 / 60
        if minute == 0 && hour == 0 { return "midnight" }
        if minute == 0 && hour == 12 { return "midday" }
        let twelve = hour % 12 == 0 ? 12 : hour % 12
        let suffix = hour < 12 ? "am" : "pm"
        return minute == 0 ? "\(twelve)\(suffix)" : "\(twelve):\(minute < 10 ? "0" : "")\(minute)\(suffix)"
    }

    /// A stored timestamp ("2026-12-07T15:33:54Z", as the database keeps them) read back, or nil.
    public static func parse(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        guard bytes.count >= 19, let day = CalendarDate(String(decoding: bytes[0..<10], as: UTF8.self)),
              bytes[10] == UInt8(ascii: "T") || bytes[10] == UInt8(ascii: " "), bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":")
        else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            guard bytes[range].allSatisfy({ (48...57).contains($0) }) else { return nil }
            return Int(String(decoding: bytes[range], as: UTF8.self))
        }
        guard let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19),
              hour < 24, minute < 60, second < 61 else { return nil }
        let rest = String(decoding: bytes[19...], as: UTF8.self)
        guard rest.isEmpty || rest == "Z" || rest == "+00:00" || rest.hasPrefix(".") else { return nil }
        return Date(timeIntervalSince1970: TimeInterval(day.daysSinceEpoch * 86_400 + hour * 3_600 + minute * 60 + second))
    }

    private static func lastSunday(month: Int, year: Int) -> CalendarDate {
        let last = CalendarDate(year: year, month: month, day: CalendarDate.daysIn(month: month, year: year))
        // 1 January 1970 was a Thursday: days since then, plus 4, modulo 7 is 0 on a Sunday.
        let weekday = ((last.daysSinceEpoch + 4) % 7 + 7) % 7
        return last.adding(days: -weekday)
    }
}
