import Database
import Domain
import Foundation

extension ActionStore {
    /// The sweep that notes open actions now past their due date as change events (`mappa.action.overdue`): each is
    /// marked `overdue_noted_on` in the same transaction as its event, and only while unmarked, so an action is noted
    /// once however often the sweep runs and however many instances run it. An action reopened later is not noted
    /// again. Returns how many were noted.
    @discardableResult
    public func noteOverdue(asSystem job: SystemJob) throws -> Int {
        let today = context.today
        let now = context.now
        return try database.write { connection in
            let due = try connection.query("""
                SELECT id, case_id, due_date FROM actions WHERE status = 'open' AND due_date < ? AND overdue_noted_on IS NULL
                ORDER BY due_date, id
                """, [.text(today.description)])
            var noted: [Int64] = []
            for row in due {
                var reader = RowReader(row)
                let id: Int64 = try reader.decode("id")
                let caseID: Int64 = try reader.decode("case_id")
                let dueDate: CalendarDate = try reader.decode("due_date")
                guard try connection.execute("UPDATE actions SET overdue_noted_on = ? WHERE id = ? AND overdue_noted_on IS NULL",
                                             [.text(today.description), .integer(id)]) == 1 else { continue }
                try ChangeEventStore.record(connection, .actionOverdue, caseID: caseID, at: now,
                                            ["actionId": String(id), "caseId": String(caseID), "dueDate": dueDate.description])
                noted.append(id)
            }
            if !noted.isEmpty {
                try context.audit.append(connection, actor: job.actor, action: .update, subjectType: "action", subjectID: noted.map(String.init).joined(separator: ","),
                                         detail: "noted overdue: \(noted.count) change event\(noted.count == 1 ? "" : "s")")
            }
            return noted.count
        }
    }
}
