/// Fixed-format numbers for report texts, without Foundation's formatters (which follow the machine's locale).
extension String {
    /// "07" for 7: two digits, as in "2025/26".
    init(format2 value: Int) { self = value < 10 ? "0\(value)" : "\(value)" }

    /// "12.50" for 12.5: two decimal places, rounded half away from zero.
    init(format2dp value: Double) {
        let hundredths = Int64((value * 100).rounded())
        let sign = hundredths < 0 ? "-" : ""
        let magnitude = abs(hundredths)
        let cents = magnitude % 100
        self = "\(sign)\(magnitude / 100).\(cents < 10 ? "0" : "")\(cents)"
    }
}
