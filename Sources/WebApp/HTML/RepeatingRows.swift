import HTTPServer

/// A group of rows a person adds to and removes from while filling in a form (decisions, actions, other names),
/// without JavaScript: GOV.UK's "add another" pattern. The add and remove buttons submit the whole form under their
/// own names (`add_decision`, `remove_decision_2`); the route sees `edit(in:)`, applies it to what was typed with
/// `apply(_:to:)` and shows the same form again (status 200, no errors), one row more or fewer and nothing else lost.
/// The number of rows shown travels in a hidden field (`decision_rows`), so blank rows stay where they were.
struct RepeatingRows: Sendable {
    /// The row's name in the buttons and ids: "decision" gives `add_decision`, `remove_decision_2`, `#decision-2`.
    var name: String
    /// What one row is called to the reader: "decision", "other name".
    var noun: String
    /// The prefixes of each row's fields: `decision_` for `decision_1`, `decision_2`… A field may carry a suffix after
    /// the number (`action_due_2-day`); it moves with its row.
    var fields: [String]
    /// The most rows the route reads.
    var limit: Int = 20

    enum Edit: Equatable, Sendable { case add, remove(Int) }

    var countField: String { "\(name)_rows" }

    /// The add or remove button that sent the form, if one did.
    func edit(in form: FormData) -> Edit? {
        for field in form.fields {
            if field.name == "add_\(name)" { return .add }
            if field.name.hasPrefix("remove_\(name)_"), let index = Int(field.name.dropFirst("remove_\(name)_".count)), index >= 1 {
                return .remove(index)
            }
        }
        return nil
    }

    /// How many rows to show: as many as the form showed, and never fewer than the last one filled in, nor than one.
    func count(_ values: [String: String]) -> Int {
        var count = min(max(Int(values[countField] ?? "") ?? 1, 1), limit)
        for (key, value) in values where !value.isEmpty {
            if let (index, _) = row(of: key), index <= limit { count = max(count, index) }
        }
        return count
    }

    /// The values after the edit, with the row count; returns the row to take the reader to (the new one, or the one
    /// that moved up into the removed one's place), nil when there is none.
    @discardableResult
    func apply(_ edit: Edit, to values: inout [String: String]) -> Int? {
        let count = count(values)
        switch edit {
        case .add:
            let next = min(count + 1, limit)
            values[countField] = String(next)
            return next
        case .remove(let removed):
            guard removed <= count else { return nil }
            var kept: [String: String] = [:]
            for (key, value) in values {
                guard let (index, rebuild) = row(of: key) else { kept[key] = value; continue }
                if index < removed { kept[key] = value } else if index > removed { kept[rebuild(index - 1)] = value }
            }
            kept[countField] = String(max(count - 1, 1))
            values = kept
            return count - 1 >= 1 ? min(removed, count - 1) : nil
        }
    }

    /// The row number in a field's name, and a way to write the same field for another row.
    func row(of key: String) -> (Int, (Int) -> String)? {
        for prefix in fields where key.hasPrefix(prefix) {
            let rest = key.dropFirst(prefix.count)
            let digits = rest.prefix { $0.isASCII && $0.isNumber }
            let suffix = String(rest.dropFirst(digits.count))
            guard !digits.isEmpty, let index = Int(digits), suffix.first.map({ !($0.isASCII && $0.isNumber) }) ?? true else { continue }
            return (index, { "\(prefix)\($0)\(suffix)" })
        }
        return nil
    }

    /// The hidden row count; put it inside the form once.
    func countInput(_ count: Int) -> HTML {
        "<input type=\"hidden\" name=\"\(countField)\" value=\"\(count)\">"
    }

    /// The row's wrapper id, the target of the page's address after an add.
    func id(_ index: Int) -> String { "\(name)-\(index)" }
    /// The id of the rows' heading or fieldset, the target after a remove.
    var listID: String { "\(name)-rows" }

    /// "Remove decision 2": a secondary button, named for the row it removes (the number read to screen readers).
    func removeButton(_ index: Int, action: String) -> HTML {
        """
        <button type="submit" class="button button--secondary rows__remove" name="remove_\(name)_\(index)" value="1" \
        formaction="\(action)#\(listID)" formnovalidate>Remove<span class="visually-hidden"> \(noun) \(index)</span></button>
        """
    }

    /// "Add another decision", while there is room; the page opens at the new row.
    func addButton(_ count: Int, action: String) -> HTML {
        guard count < limit else { return "<p class=\"hint\">\(limit) is the most this form takes.</p>" }
        return """
            <button type="submit" class="button button--secondary rows__add" name="add_\(name)" value="1" \
            formaction="\(action)#\(id(count + 1))" formnovalidate>Add another \(noun)</button>
            """
    }

    /// The first button in a form that has row buttons: pressing Enter in a field submits the form's first submit
    /// button, which must be the ordinary save, never a remove button. Hidden from everyone; the visible save stays.
    static func defaultSubmit(name: String? = nil, value: String? = nil) -> HTML {
        let named: HTML = name.map { "name=\"\($0)\" value=\"\(value ?? "")\" " } ?? .empty
        return "<button type=\"submit\" \(named)class=\"visually-hidden\" tabindex=\"-1\" aria-hidden=\"true\">Save</button>"
    }
}
