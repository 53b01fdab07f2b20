import Domain

/// GOV.UK Design System patterns, rendered as plain HTML that works without JavaScript.
/// https://design-system.service.gov.uk/components/
enum Components {
    /// The error summary at the top of a form: a heading and a link to each field in error.
    /// https://design-system.service.gov.uk/components/error-summary/
    static func errorSummary(_ problems: [ValidationProblem]) -> HTML {
        guard !problems.isEmpty else { return .empty }
        let items = problems.map { problem -> HTML in
            "<li><a href=\"#\(problem.field)\">\(problem.message)</a></li>"
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
                          width: String = "") -> HTML {
        let error = fieldError(problems, name)
        let describedBy = [hint == nil ? nil : "\(name)-hint", error == nil ? nil : "\(name)-error"].compactMap { $0 }
        let hintHTML: HTML? = hint.map { "<div class=\"hint\" id=\"\(name)-hint\">\($0)</div>" }
        let errorHTML: HTML? = error.map {
            "<p class=\"error-message\" id=\"\(name)-error\"><span class=\"visually-hidden\">Error:</span> \($0.message)</p>"
        }
        let describedByAttribute: HTML = describedBy.isEmpty ? .empty : " aria-describedby=\"\(describedBy.joined(separator: " "))\""
        let autocompleteAttribute: HTML = autocomplete.map { " autocomplete=\"\($0)\"" } ?? " autocomplete=\"off\""
        let inputClass = "input" + (error == nil ? "" : " input--error") + (width.isEmpty ? "" : " input--\(width)")
        return """
            <div class="form-group\(error == nil ? "" : " form-group--error")">
              <label class="label" for="\(name)">\(label)</label>
              \(hintHTML)\(errorHTML)
              <input class="\(inputClass)" id="\(name)" name="\(name)" type="\(type)" value="\(value)"\(describedByAttribute)\(autocompleteAttribute)>
            </div>
            """
    }

    /// A labelled select. https://design-system.service.gov.uk/components/select/
    static func select(_ name: String, label: String, options: [(value: String, label: String)], selected: String,
                       hint: String? = nil, problems: [ValidationProblem] = []) -> HTML {
        let error = fieldError(problems, name)
        // Written as bytes rather than an HTML value per option, or appended to a String piece by piece: a case
        // page offers about sixty, and the appends were a tenth of its CPU.
        var out = HTMLWriter(capacity: options.reduce(0) { $0 + 40 + $1.value.utf8.count + $1.label.utf8.count })
        for option in options {
            out.markup("<option value=\"")
            out.text(option.value)
            out.markup(option.value == selected ? "\" selected>" : "\">")
            out.text(option.label)
            out.markup("</option>")
        }
        let optionsHTML = out.html
        let hintHTML: HTML? = hint.map { "<div class=\"hint\" id=\"\(name)-hint\">\($0)</div>" }
        let errorHTML: HTML? = error.map {
            "<p class=\"error-message\" id=\"\(name)-error\"><span class=\"visually-hidden\">Error:</span> \($0.message)</p>"
        }
        let describedBy = [hint == nil ? nil : "\(name)-hint", error == nil ? nil : "\(name)-error"].compactMap { $0 }
        let describedByAttribute: HTML = describedBy.isEmpty ? .empty : " aria-describedby=\"\(describedBy.joined(separator: " "))\""
        return """
            <div class="form-group\(error == nil ? "" : " form-group--error")">
              <label class="label" for="\(name)">\(label)</label>
              \(hintHTML)\(errorHTML)
              <select class="select" id="\(name)" name="\(name)"\(describedByAttribute)>
                <option value="">Select</option>\(optionsHTML)
              </select>
            </div>
            """
    }

    /// A labelled multi-line input. https://design-system.service.gov.uk/components/textarea/
    static func textarea(_ name: String, label: String, value: String, hint: String? = nil,
                         problems: [ValidationProblem] = [], rows: Int = 4) -> HTML {
        let error = fieldError(problems, name)
        let hintHTML: HTML? = hint.map { "<div class=\"hint\" id=\"\(name)-hint\">\($0)</div>" }
        let errorHTML: HTML? = error.map {
            "<p class=\"error-message\" id=\"\(name)-error\"><span class=\"visually-hidden\">Error:</span> \($0.message)</p>"
        }
        let describedBy = [hint == nil ? nil : "\(name)-hint", error == nil ? nil : "\(name)-error"].compactMap { $0 }
        let describedByAttribute: HTML = describedBy.isEmpty ? .empty : " aria-describedby=\"\(describedBy.joined(separator: " "))\""
        return """
            <div class="form-group\(error == nil ? "" : " form-group--error")">
              <label class="label" for="\(name)">\(label)</label>
              \(hintHTML)\(errorHTML)
              <textarea class="textarea\(error == nil ? "" : " input--error")" id="\(name)" name="\(name)" rows="\(rows)"\(describedByAttribute)>\(value)</textarea>
            </div>
            """
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

    /// A table with a caption and column headers; rows are already-rendered cells.
    static func table(caption: String, headers: [String], rows: [[HTML]]) -> HTML {
        table(caption: caption, headers: headers, rows: rows) { cells, out in
            for cell in cells { out.cell(cell) }
        }
    }

    /// A table whose cells `cells` writes for each of `rows` (`HTMLWriter.cell`), with no HTML made per cell.
    static func table<Row>(caption: String, headers: [String], rows: [Row], cells: (Row, inout HTMLWriter) -> Void) -> HTML {
        var out = HTMLWriter(capacity: 512 + rows.count * 512)
        table(into: &out, caption: caption, headers: headers, rows: rows, cells: cells)
        return out.html
    }

    /// A table written into `out`, each of `rows` by `cells` (`HTMLWriter.cell`): for the long lists (search
    /// results), with no HTML made per cell.
    static func table<Row>(into out: inout HTMLWriter, caption: String, headers: [String], rows: [Row],
                           cells: (Row, inout HTMLWriter) -> Void) {
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
        out.markup("</tbody>\n</table>")
    }
}
