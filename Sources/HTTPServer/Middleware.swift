import Foundation

/// Wrappers around a handler, applied to every request.
public enum Middleware {
    /// The app serves OFFICIAL-SENSITIVE pages: nothing from elsewhere may run in them, frame them or learn
    /// where the user came from, and nothing is cached unless a response says otherwise (static assets).
    public static let securityHeaders: [(String, String)] = [
        ("Content-Security-Policy",
         "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'"),
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "DENY"),
        ("Referrer-Policy", "no-referrer"),
        ("Cross-Origin-Opener-Policy", "same-origin"),
    ]

    public static func secure(_ next: @escaping Handler) -> Handler {
        return { request in
            var response = try next(request)
            for (name, value) in securityHeaders where response.headers[name] == nil {
                response.headers.set(name, value)
            }
            if response.headers["Cache-Control"] == nil { response.headers.set("Cache-Control", "no-store") }
            return response
        }
    }

    /// One JSON line per request: time, request id, method, path without its query (queries can hold names),
    /// status, bytes and duration. Never headers, cookies or bodies.
    public static func requestLog(_ sink: @escaping @Sendable (String) -> Void, _ next: @escaping Handler) -> Handler {
        return { request in
            let started = DispatchTime.now().uptimeNanoseconds
            let response: Response
            do {
                response = try next(request)
            } catch {
                response = .text("Sorry, there is a problem with the service. Try again later.", status: 500)
            }
            let milliseconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1_000_000
            let entry: [String: Any] = [
                "time": Date().formatted(.iso8601),
                "id": String(UInt64.random(in: 0...UInt64.max), radix: 16),
                "method": request.method,
                "path": String(request.path.prefix(300)),
                "status": response.status,
                "bytes": response.body.count,
                "ms": (milliseconds * 10).rounded() / 10,
            ]
            if let data = try? JSONSerialization.data(withJSONObject: entry, options: [.sortedKeys, .withoutEscapingSlashes]) {
                sink(String(decoding: data, as: UTF8.self))
            }
            return response
        }
    }

    /// Writes log lines to standard output, one write per line so lines from threads do not interleave.
    public static let standardOutput: @Sendable (String) -> Void = { line in
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }
}
