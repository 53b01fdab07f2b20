import Testing
@testable import Domain

/// The GOV.UK date input's three parts read into a date, each mistake named by the parts it is in.
@Suite struct DateInputTests {
    func read(_ day: String, _ month: String, _ year: String, bound: DateInput.Bound? = nil) -> DateInput.Reading {
        DateInput.read(DateInput.Typed(day: day, month: month, year: year), field: "date_of_birth", label: "Date of birth", bound: bound)
    }

    func problem(_ reading: DateInput.Reading) -> ValidationProblem? {
        if case .problem(let problem) = reading { return problem }
        return nil
    }

    @Test func aRealDateIsRead() {
        #expect(read("27", "3", "2007") == .date(CalendarDate(year: 2007, month: 3, day: 27)))
        #expect(read("07", "03", "2007") == .date(CalendarDate(year: 2007, month: 3, day: 7)))
    }

    @Test func whitespaceAroundEachPartIsIgnored() {
        #expect(read(" 27 ", "\t3", "2007\n") == .date(CalendarDate(year: 2007, month: 3, day: 27)))
        #expect(read(" ", "", "  ") == .empty)
    }

    @Test func theTwentyNinthOfFebruaryOnlyInALeapYear() {
        #expect(read("29", "2", "2024") == .date(CalendarDate(year: 2024, month: 2, day: 29)))
        #expect(read("29", "2", "2000") == .date(CalendarDate(year: 2000, month: 2, day: 29)))
        let notLeap = problem(read("29", "2", "2023"))
        #expect(notLeap?.message == "Date of birth must be a real date")
        #expect(notLeap?.parts == ["day", "month", "year"])
        #expect(problem(read("29", "2", "1900"))?.message == "Date of birth must be a real date")
        #expect(problem(read("31", "4", "2020"))?.message == "Date of birth must be a real date")
    }

    @Test func missingPartsAreNamedAndOnlyTheyAreInError() {
        let month = problem(read("27", "", "2007"))
        #expect(month?.message == "Date of birth must include a month")
        #expect(month?.parts == ["month"])
        #expect(month?.field == "date_of_birth")
        let dayAndMonth = problem(read("", " ", "2007"))
        #expect(dayAndMonth?.message == "Date of birth must include a day and month")
        #expect(dayAndMonth?.parts == ["day", "month"])
        #expect(problem(read("27", "3", ""))?.message == "Date of birth must include a year")
        #expect(problem(read("", "3", ""))?.parts == ["day", "year"])
    }

    @Test func nonNumbersAndImpossiblePartsAreNotRealDates() {
        let month = problem(read("27", "13", "2007"))
        #expect(month?.message == "Date of birth must be a real date")
        #expect(month?.parts == ["month"])
        #expect(problem(read("x", "3", "2007"))?.parts == ["day"])
        #expect(problem(read("0", "3", "2007"))?.parts == ["day"])
        #expect(problem(read("-1", "3", "2007"))?.parts == ["day"])
        #expect(problem(read("2 7", "3", "2007"))?.parts == ["day"])
        #expect(problem(read("27", "3", "20o7"))?.parts == ["year"])
        #expect(problem(read("32", "3", "2007"))?.parts == ["day"])
        #expect(problem(read("27", "3", "1849"))?.parts == ["year"])
        #expect(problem(read("27\u{7}", "3", "2007"))?.parts == ["day"])
    }

    @Test func monthNamesAreAccepted() {
        #expect(read("27", "March", "2007") == .date(CalendarDate(year: 2007, month: 3, day: 27)))
        #expect(read("27", "mar", "2007") == .date(CalendarDate(year: 2007, month: 3, day: 27)))
        #expect(read("27", "Sept", "2007") == .date(CalendarDate(year: 2007, month: 9, day: 27)))
        #expect(problem(read("27", "ma", "2007"))?.parts == ["month"])
    }

    @Test func aTwoDigitYearIsRefusedWithAClearMessage() {
        let short = problem(read("27", "3", "07"))
        #expect(short?.message == "Date of birth must include a year with 4 numbers, like 2007")
        #expect(short?.parts == ["year"])
        #expect(problem(read("27", "3", "207"))?.parts == ["year"])
        #expect(problem(read("27", "3", "02007"))?.parts == ["year"])
    }

    @Test func aDateOfBirthMustBeInThePast() {
        let today = CalendarDate(year: 2026, month: 12, day: 7)
        #expect(read("6", "12", "2026", bound: .past(today: today)) == .date(CalendarDate(year: 2026, month: 12, day: 6)))
        #expect(problem(read("7", "12", "2026", bound: .past(today: today)))?.message == "Date of birth must be in the past")
        #expect(problem(read("27", "3", "2027", bound: .past(today: today)))?.parts == ["day", "month", "year"])
        #expect(read("7", "12", "2026", bound: .todayOrPast(today: today)) == .date(today))
        #expect(problem(read("8", "12", "2026", bound: .todayOrPast(today: today)))?.message == "Date of birth must be today or in the past")
    }

    @Test func aKnownDateIsShownAsAPersonTypesIt() {
        let typed = DateInput.Typed(CalendarDate(year: 2007, month: 3, day: 7))
        #expect(typed == DateInput.Typed(day: "7", month: "3", year: "2007"))
        #expect(typed.example == "7 3 2007")
    }
}
