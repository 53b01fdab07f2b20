import Foundation

/// A file served from memory with a strong validator, so browsers cache it and revalidate cheaply
/// (RFC 9110 §8.8.3 ETag, §13.1.2 If-None-Match).
public struct StaticFile: Sendable {
    public let contentType: String
    public let body: [UInt8]
    public let etag: String
    public let maxAgeSeconds: Int

    public init(contentType: String, body: [UInt8], maxAgeSeconds: Int = 3600) {
        self.contentType = contentType
        self.body = body
        self.maxAgeSeconds = maxAgeSeconds
        // FNV-1a over the content: changes whenever the content does; no secrecy needed.
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in body { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        etag = "\"" + String(hash, radix: 16) + "-" + String(body.count) + "\""
    }

    public init(contentType: String, text: String, maxAgeSeconds: Int = 3600) {
        self.init(contentType: contentType, body: Array(text.utf8), maxAgeSeconds: maxAgeSeconds)
    }

    /// 200 with the body, or 304 when the browser already has this version.
    public func response(for request: Request) -> Response {
        var headers = Headers([("ETag", etag), ("Cache-Control", "public, max-age=\(maxAgeSeconds)")])
        if let candidates = request.headers["If-None-Match"],
           candidates.split(separator: ",").contains(where: { $0.trimmingCharacters(in: .whitespaces) == etag || $0.trimmingCharacters(in: .whitespaces) == "*" }) {
            return Response(status: 304, headers: headers)
        }
        headers.set("Content-Type", contentType)
        return Response(status: 200, headers: headers, body: body)
    }
}
