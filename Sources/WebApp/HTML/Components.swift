import Foundation
import Domain
import Store

/// GOV.UK Design System patterns, rendered as plain HTML that works without JavaScript.
/// https://design-system.service.gov.uk/components/
enum Components {
    /// The error summary at the top of a form: a heading and a link to each field in error.
    /// https://design-system.service.gov.uk/components/error-summary/
    static func errorSummary(_ problems: [ValidationProblem]) -> HTML {
        guard !problems.isEmpty else { return .empty }
        let items = problems.map { problem -> HTML in
            // A date's problem links to its first part in error, as GOV.UK's error summary does.
            "<li><a href=\"#\(problem.parts.first.map { "\(problem.field)-\($0)" } ?? problem.field)\">\(problem.message)</a></li>"
        }
        return """
            <div class="error-summary" aria-labelledby="error-summary-title" role="alert" tabindex="-1" id="error-summary">
              <h2 class="error-summary__title" id="error-summary-title">There is a problem</h2>
              <ul class="error-summary__list">\(items)</ul>
            </div>
            """
    }

    static func fieldError(_ problems: [ValidationProblem], _ field: String) -> ValidationProblem? {
        problems.first { $0.field == field }
    }

    /// A labelled text input with optional hint and inline error. https://design-system.service.gov.uk/components/text-input/
    static func textInput(_ name: String, label: String, value: String = "", hint: String? = nil,
                          type: String = "text", autocomplete: String? = nil, problems: [ValidationProblem] = [],
                          width: String = "", filters: String = "") -> HTML {
        field(name, label: label, hint: hint, problems: problems, capacity: value.utf8.count) { out, error, describedBy in
            out.markup("<input class=\"input")
            if error { out.markup(" input--error") }
            if !width.isEmpty {
                out.markup(" input--")
                out.text(width)
            }
            out.markup("\" id=\"")
            out.text(name)
            out.markup("\" name=\"")
            out.text(name)
            out.markup("\" type=\"")
            out.text(type)
            out.markup("\" value=\"")
            out.text(value)
            out.markup("\"")
            describedBy(&out)
            out.markup(" autocomplete=\"")
            out.text(autocomplete ?? "off")
            if !filters.isEmpty {
                // The script narrows the options of the select with this id as the person types here.
                out.markup("\" data-filters=\"")
                out.text(filters)
            }
            out.markup("\">")
        }
    }

    /// The GOV.UK date input: day, month and year fields in a fieldset whose legend is `label`, named and identified
    /// `<name>-day`, `<name>-month`, `<name>-year` (read back by `FormReader.date`). `values` holds what was typed under
    /// those names, or else the date itself (YYYY-MM-DD) under `name`, or else `default`. Only the parts in error are highlighted.
    /// https://design-system.service.gov.uk/components/date-input/
    static func dateInput(_ name: String, label: String, values: [String: String]?, default: CalendarDate? = nil,
                          hint: String? = nil, problems: [ValidationProblem] = []) -> HTML {
        let values = values ?? [:]
        let typed: DateInput.Typed
        if DateInput.Part.allCases.contains(where: { values["\(name)-\($0.rawValue)"] != nil }) {
            typed = DateInput.Typed(day: values["\(name)-day"] ?? "", month: values["\(name)-month"] ?? "", year: values["\(name)-year"] ?? "")
        } else if let date = values[name].flatMap({ CalendarDate(typed: $0) }) ?? `default` {
            typed = DateInput.Typed(date)
        } else {
            typed = DateInput.Typed(day: "", month: "", year: "")
        }
        return dateInput(name, label: label, typed: typed, hint: hint, problems: problems)
    }

    static func dateInput(_ name: String, label: String, typed: DateInput.Typed, hint: String? = nil,
                          problems: [ValidationProblem] = []) -> HTML {
        let error = fieldError(problems, name)
        let inError = Set(error.map { $0.parts.isEmpty ? DateInput.Part.allCases.map(\.rawValue) : $0.parts } ?? [])
        var out = HTMLWriter(capacity: 1_500)
        out.markup(error == nil ? "<div class=\"form-group\">\n" : "<div class=\"form-group form-group--error\">\n")
        out.markup("  <fieldset class=\"fieldset date-fieldset\"")
        var describedBy: [String] = []
        if hint != nil { describedBy.append("\(name)-hint") }
        if error != nil { describedBy.append("\(name)-error") }
        if !describedBy.isEmpty {
            out.markup(" aria-describedby=\"")
            out.text(describedBy.joined(separator: " "))
            out.markup("\"")
        }
        out.markup(">\n    <legend class=\"label\">")
        out.text(label)
        out.markup("</legend>\n")
        hintAndError(&out, name, hint: hint, error: error, onOwnLines: true)
        out.markup("    <div class=\"date-input\" id=\"")
        out.text(name)
        out.markup("\">")
        for part in DateInput.Part.allCases {
            let id = "\(name)-\(part.rawValue)"
            out.markup("\n      <div class=\"date-input__item\"><label class=\"date-input__label\" for=\"")
            out.text(id)
            out.markup("\">")
            out.text(part.rawValue.prefix(1).uppercased() + part.rawValue.dropFirst())
            out.markup(part == .year ? "</label><input class=\"input date-input__input input--width-4" : "</label><input class=\"input date-input__input input--width-2")
            if inError.contains(part.rawValue) { out.markup(" input--error") }
            out.markup("\" id=\"")
            out.text(id)
            out.markup("\" name=\"")
            out.text(id)
            out.markup("\" type=\"text\" inputmode=\"numeric\" autocomplete=\"off\" maxlength=\"20\" value=\"")
            out.text(typed[part])
            out.markup("\"></div>")
        }
        out.markup("\n    </div>\n  </fieldset>\n</div>")
        return out.html
    }

    /// A moment as people read it, in UK time ("7 December 2026 at 3:33pm", `HumanTime`), the exact UTC timestamp
    /// kept in the `datetime` attribute and shown on hover. The one way a page shows a time; only the audit views show
    /// raw timestamps.
    static func time(_ date: Date) -> HTML {
        let exact = Timestamp.string(date)
        return "<time datetime=\"\(exact)\" title=\"\(exact) UTC\">\(HumanTime.text(date))</time>"
    }

    /// A stored timestamp (`2026-12-07T15:33:54Z`) shown as `time(_:)` shows it; text that is not one is shown as it is.
    static func time(_ stored: String) -> HTML {
        guard let date = HumanTime.parse(stored) else { return "\(stored)" }
        return time(date)
    }

    /// A labelled select. https://design-system.service.gov.uk/components/select/
    static func select(_ name: String, label: String, options: [(value: String, label: String)], selected: String,
                       hint: String? = nil, problems: [ValidationProblem] = []) -> HTML {
        let capacity = options.reduce(0) { $0 + 40 + $1.value.utf8.count + $1.label.utf8.count }
        return field(name, label: label, hint: hint, problems: problems, capacity: capacity) { out, _, describedBy in
            out.markup("<select class=\"select\" id=\"")
            out.text(name)
            out.markup("\" name=\"")
            out.text(name)
            out.markup("\"")
            describedBy(&out)
            out.markup(">\n    <option value=\"\">Select</option>")
            // Each option written as bytes: a case page offers about sixty, and appended to a String piece by
            // piece they were a tenth of its CPU.
            for option in options {
                out.markup("<option value=\"")
                out.text(option.value)
                out.markup(option.value == selected ? "\" selected>" : "\">")
                out.text(option.label)
                out.markup("</option>")
            }
            out.markup("\n  </select>")
        }
    }

    /// A labelled select whose options are grouped under headings (`<optgroup>`): the directory's people by agency.
    /// `filterable` marks it for the script, which narrows its options as the person types in the search box before it.
    static func groupedSelect(_ name: String, label: String, groups: [(label: String, options: [(value: String, label: String)])],
                              selected: String, hint: String? = nil, problems: [ValidationProblem] = [], filterable: Bool = false) -> HTML {
        let capacity = groups.reduce(0) { $0 + 40 + $1.label.utf8.count + $1.options.reduce(0) { $0 + 40 + $1.value.utf8.count + $1.label.utf8.count } }
        return field(name, label: label, hint: hint, problems: problems, capacity: capacity) { out, _, describedBy in
            out.markup("<select class=\"select\" id=\"")
            out.text(name)
            out.markup("\" name=\"")
            out.text(name)
            out.markup("\"")
            describedBy(&out)
            if filterable { out.markup(" data-filterable") }
            out.markup(">\n    <option value=\"\">Select</option>")
            for group in groups {
                out.markup("<optgroup label=\"")
                out.text(group.label)
                out.markup("\">")
                for option in group.options {
                    out.markup("<option value=\"")
                    out.text(option.value)
                    out.markup(option.value == selected ? "\" selected>" : "\">")
                    out.text(option.label)
                    out.markup("</option>")
                }
                out.markup("</optgroup>")
            }
            out.markup("\n  </select>")
        }
    }

    /// A labelled multi-line input. https://design-system.service.gov.uk/components/textarea/
    static func textarea(_ name: String, label: String, value: String, hint: String? = nil,
                         problems: [ValidationProblem] = [], rows: Int = 4) -> HTML {
        field(name, label: label, hint: hint, problems: problems, capacity: value.utf8.count) { out, error, describedBy in
            out.markup("<textarea class=\"textarea")
            if error { out.markup(" input--error") }
            out.markup("\" id=\"")
            out.text(name)
            out.markup("\" name=\"")
            out.text(name)
            out.markup("\" rows=\"")
            out.text(String(rows))
            out.markup("\"")
            describedBy(&out)
            out.markup(">")
            out.text(value)
            out.markup("</textarea>")
        }
    }

    /// What every form field shares: the group (marked when the field has an error), the label, the hint and the
    /// inline error, around the control that `control` writes. `control` is told whether the field has an error and
    /// given the control's `aria-describedby` attribute (naming the hint and the error) to write. Written as bytes:
    /// a case page has some twenty fields, and as interpolated HTML they were a tenth of its CPU.
    /// A field's hint and error message, ids `<name>-hint` and `<name>-error` (what its aria-describedby names).
    private static func hintAndError(_ out: inout HTMLWriter, _ name: String, hint: String?, error: ValidationProblem?,
                                     onOwnLines: Bool) {
        if let hint {
            out.markup(onOwnLines ? "    <div class=\"hint\" id=\"" : "<div class=\"hint\" id=\"")
            out.text(name)
            out.markup("-hint\">")
            out.text(hint)
            out.markup(onOwnLines ? "</div>\n" : "</div>")
        }
        if let error {
            out.markup(onOwnLines ? "    <p class=\"error-message\" id=\"" : "<p class=\"error-message\" id=\"")
            out.text(name)
            out.markup("-error\"><span class=\"visually-hidden\">Error:</span> ")
            out.text(error.message)
            out.markup(onOwnLines ? "</p>\n" : "</p>")
        }
    }

    private static func field(_ name: String, label: String, hint: String?, problems: [ValidationProblem], capacity: Int,
                              control: (inout HTMLWriter, _ error: Bool, _ describedBy: (inout HTMLWriter) -> Void) -> Void) -> HTML {
        let error = fieldError(problems, name)
        var out = HTMLWriter(capacity: 512 + capacity)
        out.markup(error == nil ? "<div class=\"form-group\">\n  <label class=\"label\" for=\""
                                : "<div class=\"form-group form-group--error\">\n  <label class=\"label\" for=\"")
        out.text(name)
        out.markup("\">")
        out.text(label)
        out.markup("</label>\n  ")
        hintAndError(&out, name, hint: hint, error: error, onOwnLines: false)
        out.markup("\n  ")
        control(&out, error != nil) { out in
            guard hint != nil || error != nil else { return }
            out.markup(" aria-describedby=\"")
            if hint != nil {
                out.text(name)
                out.markup("-hint")
            }
            if error != nil {
                if hint != nil { out.markup(" ") }
                out.text(name)
                out.markup("-error")
            }
            out.markup("\"")
        }
        out.markup("\n</div>")
        return out.html
    }

    /// A single checkbox. https://design-system.service.gov.uk/components/checkboxes/
    static func checkbox(_ name: String, label: String, checked: Bool, value: String = "yes") -> HTML {
        """
        <div class="checkbox">
          <input class="checkbox__input" id="\(name)-\(value)" name="\(name)" type="checkbox" value="\(value)"\(checked ? HTML(trusted: " checked") : .empty)>
          <label class="checkbox__label" for="\(name)-\(value)">\(label)</label>
        </div>
        """
    }

    /// A POST form carrying the session's CSRF token.
    static func form(action: String, csrf: String, _ content: HTML, novalidate: Bool = true) -> HTML {
        """
        <form method="post" action="\(action)"\(novalidate ? HTML(trusted: " novalidate") : .empty)>
          <input type="hidden" name="csrf_token" value="\(csrf)">
          \(content)
        </form>
        """
    }

    /// A GET form (a search or filters): nothing changes, so no CSRF token.
    /// A value for a link's query string (a filter kept across pages).
    static func urlEncoded(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~:")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }

    static func getForm(action: String, _ content: HTML) -> HTML {
        """
        <form method="get" action="\(action)" novalidate>
          \(content)
        </form>
        """
    }

    static func button(_ label: String, secondary: Bool = false, warning: Bool = false) -> HTML {
        let kind = warning ? " button--warning" : (secondary ? " button--secondary" : "")
        return "<button type=\"submit\" class=\"button\(kind)\">\(label)</button>"
    }

    /// A success or information banner. https://design-system.service.gov.uk/components/notification-banner/
    static func notification(_ message: String?, success: Bool = true) -> HTML {
        guard let message, !message.isEmpty else { return .empty }
        return """
            <div class="notification\(success ? HTML(trusted: " notification--success") : .empty)" role="\(success ? "alert" : "region")" aria-labelledby="notification-title">
              <h2 class="notification__title" id="notification-title">\(success ? "Success" : "Important")</h2>
              <p class="notification__body">\(message)</p>
            </div>
            """
    }

    /// A summary list of label/value pairs. https://design-system.service.gov.uk/components/summary-list/
    static func summaryList(_ rows: [(String, HTML)]) -> HTML {
        let items = rows.map { row -> HTML in
            "<div class=\"summary-list__row\"><dt class=\"summary-list__key\">\(row.0)</dt><dd class=\"summary-list__value\">\(row.1)</dd></div>"
        }
        return "<dl class=\"summary-list\">\(items)</dl>"
    }

    static func tag(_ text: String, colour: String = "") -> HTML {
        "<strong class=\"tag\(colour.isEmpty ? "" : " tag--\(colour)")\">\(text)</strong>"
    }

    /// A table with a caption and column headers; rows are already-rendered cells. With no rows it says `empty`
    /// under the caption instead of showing headers over nothing.
    static func table(caption: String, headers: [String], rows: [[HTML]], empty: String = noneYet) -> HTML {
        table(caption: caption, headers: headers, rows: rows, empty: empty) { cells, out in
            for cell in cells { out.cell(cell) }
        }
    }

    /// What an empty table says unless its page has a more specific sentence ("No actions were agreed.").
    static let noneYet = "None yet."

    /// A table whose cells `cells` writes for each of `rows` (`HTMLWriter.cell`), with no HTML made per cell.
    static func table<Row>(caption: String, headers: [String], rows: [Row], empty: String = noneYet,
                           cells: (Row, inout HTMLWriter) -> Void) -> HTML {
        var out = HTMLWriter(capacity: 512 + rows.count * 512)
        table(into: &out, caption: caption, headers: headers, rows: rows, empty: empty, cells: cells)
        return out.html
    }

    /// A table written into `out`, each of `rows` by `cells` (`HTMLWriter.cell`): for the long lists (search
    /// results), with no HTML made per cell. Inside a scrolling region (`scrollingRegion`), so a table wider than a
    /// phone scrolls by itself rather than the page; with no rows, the caption and `empty` instead of a table.
    static func table<Row>(into out: inout HTMLWriter, caption: String, headers: [String], rows: [Row],
                           empty: String = noneYet, cells: (Row, inout HTMLWriter) -> Void) {
        guard !rows.isEmpty else {
            out.markup("<div class=\"table-empty\">\n  <p class=\"table__caption\">")
            out.text(caption)
            out.markup("</p>\n  <p class=\"table-empty__text\">")
            out.text(empty)
            out.markup("</p>\n</div>")
            return
        }
        openScrollingRegion(into: &out, label: caption)
        out.markup("<table class=\"table\">\n  <caption class=\"table__caption\">")
        out.text(caption)
        out.markup("</caption>\n  <thead><tr class=\"table__row\">")
        for header in headers {
            out.markup("<th scope=\"col\" class=\"table__header\">")
            out.text(header)
            out.markup("</th>")
        }
        out.markup("</tr></thead>\n  <tbody>")
        for row in rows {
            out.markup("<tr class=\"table__row\">")
            cells(row, &out)
            out.markup("</tr>")
        }
        out.markup("</tbody>\n</table>\n</div>")
    }

    /// A table built by hand (with row headers), in the same scrolling region as `table`'s.
    static func scrollingRegion(label: String, _ table: HTML) -> HTML {
        var out = HTMLWriter(capacity: 256 + table.rendered.utf8.count)
        openScrollingRegion(into: &out, label: label)
        out.append(table)
        out.markup("</div>")
        return out.html
    }

    /// A table's own horizontal scrolling region: at 320 CSS px a table wider than the window scrolls inside it,
    /// never the page (WCAG 2.2 SC 1.4.10). Named by the table's caption and focusable, so a keyboard user can
    /// scroll it too (https://adrianroselli.com/2020/11/under-engineered-responsive-tables.html).
    private static func openScrollingRegion(into out: inout HTMLWriter, label: String) {
        out.markup("<div class=\"table-region\" role=\"region\" tabindex=\"0\" aria-label=\"")
        out.text(label)
        out.markup("\">\n")
    }
}
