import Foundation

/// The reasons a coordinator gave for returning a referral, one per line, each tied to the form field it is about
/// where it names one of the quality check's findings (the return box is pre-filled with them), so the referrer
/// sees each reason beside the field to correct.
public enum ReturnReasons {
    /// One line of the pre-filled return box for a finding.
    public static func line(_ finding: QualityFinding) -> String {
        let kind: String
        switch finding.kind {
        case .missing, .inconsistent: kind = ""
        case .warning: kind = "Check: "
        }
        return "- \(finding.section.title): \(kind)\(finding.message)"
    }

    /// The return box's text before the coordinator edits it: what blocks screening first, then what to check.
    public static func prefilled(_ findings: [QualityFinding]) -> String {
        (findings.filter { $0.kind != .warning } + findings.filter { $0.kind == .warning }).map(line).joined(separator: "\n")
    }

    /// Each non-empty line of `text` (list markers removed), with the field of the first finding whose message it
    /// contains, or "" when it names none.
    public static func parse(_ text: String, findings: [QualityFinding]) -> [(field: String, reason: String)] {
        text.split(whereSeparator: \.isNewline).compactMap { raw -> (field: String, reason: String)? in
            var line = raw.trimmingCharacters(in: .whitespaces)
            for marker in ["- ", "* ", "• "] where line.hasPrefix(marker) { line = String(line.dropFirst(marker.count)) }
            line = line.trimmingCharacters(in: .whitespaces)
            guard !line.isEmpty else { return nil }
            let field = findings.first { line.contains($0.message) }?.field ?? ""
            return (field, line)
        }
    }
}
