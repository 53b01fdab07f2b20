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

    /// Need-to-know refusal of a case: says so plainly and that it was recorded (the caller audits it).
    static func needToKnow(session: Session) -> Response {
        page(HTTPError(status: 403, code: "need_to_know",
                       description: "You do not have access to this case. Access to MAPPA cases is on a need-to-know basis; if you need it for your work, ask the MAPPA coordinator. This refusal has been recorded."),
             session: session)
    }

    static func forbidden(session: Session) -> Response {
        page(HTTPError(status: 403, code: "forbidden",
                       description: "Your role does not allow this. If you need it for your work, ask your MAPPA unit administrator. This refusal has been recorded."),
             session: session)
    }
}

/// Thrown by a helper that has already decided the whole response (a refusal page, say), so routes can stay
/// linear: the app's error responder sends `response` as it is.
struct FinishedResponse: Error {
    let response: Response
    init(_ response: Response) { self.response = response }
}
