import Domain
import HTTPServer
import Store

/// Error pages in the GOV.UK pattern: say what happened and what to do, never how the server failed.
/// https://design-system.service.gov.uk/patterns/page-not-found-pages/
enum ErrorPages {
    static func page(_ error: HTTPError, session: Session? = nil) -> Response {
        let title: String
        switch error.status {
        case 404: title = "Page not found"
        case 403: title = "You do not have access to this page"
        case 405: title = "That action is not available here"
        case 413: title = "The file or form is too large"
        case 400...499: title = "There is a problem with your request"
        default: title = "Sorry, there is a problem with the service"
        }
        let advice: HTML = error.status == 404
            ? "<p>If you typed the web address, check it is correct.</p><p>If you pasted the web address, check you copied the entire address.</p>"
            : .empty
        let content: HTML = """
            <h1>\(title)</h1>
            <p>\(error.description)</p>
            \(advice)
            <p><a href="/">Go to the home page</a></p>
            """
        return .html(Layout.page(title: title, session: session, currentPath: "", content: content).rendered,
                     status: error.status)
    }

    /// A refusal for the person's role, saying it was recorded (the gate records it).
    static func forbidden(session: Session) -> Response {
        let refusal = DomainError.roleRefused()
        return page(HTTPError(status: 403, code: refusal.code, description: refusal.description), session: session)
    }
}
