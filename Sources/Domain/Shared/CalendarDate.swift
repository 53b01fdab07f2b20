import Foundation

/// A calendar date without time (YYYY-MM-DD), as MAPPA records use them; comparable and free of time zones.
public struct CalendarDate: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    /// Nil unless `text` is a real date written YYYY-MM-DD. Read digit by digit: every date read from the
    /// database comes through here (a search page makes a hundred), and splitting the text was measurable.
    public init?(_ text: String) {
        guard let parsed = text.utf8.withContiguousStorageIfAvailable(Self.parse) ?? Self.parse(Array(text.utf8)) else {
            return nil
        }
        let (year, month, day) = parsed
        guard (1...12).contains(month), day >= 1, day <= Self.daysIn(month: month, year: year), year >= 1850 else {
            return nil
        }
        self.year = year
        self.month = month
        self.day = day
    }

    /// A date as people type it: 2027-03-27 or 27/03/2027 (day first, as in the UK).
    public init?(typed text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let date = CalendarDate(trimmed) {
            self = date
            return
        }
        let parts = trimmed.split(separator: "/")
        guard parts.count == 3, let day = Int(parts[0]), let month = Int(parts[1]), parts[2].count == 4, let year = Int(parts[2]),
              let date = CalendarDate(String(format: "%04d-%02d-%02d", year, month, day)) else { return nil }
        self = date
    }

    public init(year: Int, month: Int, day: Int) {
        precondition((1...12).contains(month) && day >= 1 && day <= Self.daysIn(month: month, year: year))
        self.year = year
        self.month = month
        self.day = day
    }

    /// The UTC calendar date of an instant.
    public init(_ date: Date) {
        let days = Int((date.timeIntervalSince1970 / 86_400).rounded(.down))
        self = CalendarDate(daysSinceEpoch: days)
    }

    /// Year, month and day of exactly `DDDD-DD-DD` (ASCII digits), unchecked as a date.
    private static func parse(_ bytes: some RandomAccessCollection<UInt8>) -> (Int, Int, Int)? {
        guard bytes.count == 10 else { return nil }
        var year = 0, month = 0, day = 0
        for (offset, byte) in bytes.enumerated() {
            if offset == 4 || offset == 7 {
                guard byte == UInt8(ascii: "-") else { return nil }
                continue
            }
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            let digit = Int(byte - UInt8(ascii: "0"))
            switch offset {
            case 0..<4: year = year * 10 + digit
            case 5..<7: month = month * 10 + digit
            default: day = day * 10 + digit
            }
        }
        return (year, month, day)
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 (civil-from-days algorithm, H. Hinnant).
    public var daysSinceEpoch: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    public init(daysSinceEpoch: Int) {
        let z = daysSinceEpoch + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        self.year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        self.month = month
        self.day = day
    }

    public func adding(days: Int) -> CalendarDate { CalendarDate(daysSinceEpoch: daysSinceEpoch + days) }
    public func adding(weeks: Int) -> CalendarDate { adding(days: weeks * 7) }
    /// Same day `months` later, clamped to the month's last day (31 Aug + 6 months = 28/29 Feb).
    public func adding(months: Int) -> CalendarDate {
        let total = year * 12 + (month - 1) + months
        let newYear = total / 12
        let newMonth = total % 12 + 1
        return CalendarDate(year: newYear, month: newMonth, day: min(day, Self.daysIn(month: newMonth, year: newYear)))
    }
    public func days(until other: CalendarDate) -> Int { other.daysSinceEpoch - daysSinceEpoch }

    /// YYYY-MM-DD, as stored.
    public var description: String {
        guard Self.writable(self) else { return "\(year)-\(month < 10 ? "0" : "")\(month)-\(day < 10 ? "0" : "")\(day)" }
        return String(unsafeUninitializedCapacity: 10) { buffer in
            var at = 0
            Self.write(year, width: 4, into: buffer, at: &at)
            buffer[at] = UInt8(ascii: "-"); at += 1
            Self.write(month, width: 2, into: buffer, at: &at)
            buffer[at] = UInt8(ascii: "-"); at += 1
            Self.write(day, width: 2, into: buffer, at: &at)
            return at
        }
    }

    /// "5 March 2026", the GOV.UK date style.
    public var displayText: String {
        let monthName = Self.monthNames[month - 1]
        guard Self.writable(self) else { return "\(day) \(monthName) \(year)" }
        return String(unsafeUninitializedCapacity: 2 + 1 + monthName.utf8.count + 1 + 4) { buffer in
            var at = 0
            Self.write(day, width: 1, into: buffer, at: &at)
            buffer[at] = UInt8(ascii: " "); at += 1
            for byte in monthName.utf8 { buffer[at] = byte; at += 1 }
            buffer[at] = UInt8(ascii: " "); at += 1
            Self.write(year, width: 1, into: buffer, at: &at)
            return at
        }
    }

    /// Made once: a results page shows a hundred dates.
    private static let monthNames = ["January", "February", "March", "April", "May", "June", "July", "August",
                                     "September", "October", "November", "December"]

    /// Whether the texts above can be written digit by digit (every real date can). They are, rather than
    /// interpolated: a search page's 50 dates were a twentieth of its CPU, and the import writes 100,000.
    private static func writable(_ date: CalendarDate) -> Bool {
        (0...9999).contains(date.year) && (1...12).contains(date.month) && (0...99).contains(date.day)
    }

    /// Writes `value` (0...9999) in decimal, padded with zeros to `width` digits.
    private static func write(_ value: Int, width: Int, into buffer: UnsafeMutableBufferPointer<UInt8>, at index: inout Int) {
        let digits = value >= 1000 ? 4 : value >= 100 ? 3 : value >= 10 ? 2 : 1
        let count = max(digits, width)
        var rest = value
        for position in stride(from: index + count - 1, through: index, by: -1) {
            buffer[position] = UInt8(ascii: "0") + UInt8(rest % 10)
            rest /= 10
        }
        index += count
    }
    public static func < (a: Self, b: Self) -> Bool { a.daysSinceEpoch < b.daysSinceEpoch }

    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let date = CalendarDate(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a YYYY-MM-DD date"))
        }
        self = date
    }
    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
