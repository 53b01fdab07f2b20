import Foundation

extension Request {
    /// Cookies from the Cookie header (RFC 6265 §5.4): `name=value; name2=value2`. The first of a repeated
    /// name wins, as browsers send the most specific first. Read on every request, so it works on the UTF-8
    /// bytes: trimming with Foundation's character sets was a twelfth of a simple page's time.
    public var cookies: [String: String] {
        var result: [String: String] = [:]
        for header in headers.values("Cookie") {
            for pair in header.utf8.split(separator: UInt8(ascii: ";")) {
                let equals = pair.firstIndex(of: UInt8(ascii: "="))
                let name = Self.trimmed(pair[..<(equals ?? pair.endIndex)])
                guard !name.isEmpty else { continue }
                let nameText = String(decoding: name, as: UTF8.self)
                guard result[nameText] == nil else { continue }
                var value = equals.map { Self.trimmed(pair[pair.index(after: $0)...]) } ?? pair[pair.endIndex...]
                if value.count >= 2, value.first == UInt8(ascii: "\""), value.last == UInt8(ascii: "\"") {
                    value = value.dropFirst().dropLast()
                }
                result[nameText] = String(decoding: value, as: UTF8.self)
            }
        }
        return result
    }

    /// Without leading and trailing spaces and tabs (RFC 6265's optional whitespace).
    private static func trimmed(_ bytes: Substring.UTF8View) -> Substring.UTF8View {
        let isBlank = { (byte: UInt8) in byte == 0x20 || byte == 0x09 }
        guard let first = bytes.firstIndex(where: { !isBlank($0) }), let last = bytes.lastIndex(where: { !isBlank($0) }) else {
            return bytes[bytes.endIndex...]
        }
        return bytes[first...last]
    }
}

/// A Set-Cookie header value (RFC 6265 §4.1). Defaults are the safe ones: HttpOnly, SameSite=Strict, Path=/.
public struct SetCookie: Sendable, Equatable {
    public enum SameSite: String, Sendable {
        case strict = "Strict"
        case lax = "Lax"
    }
    public var name: String
    public var value: String
    public var path: String
    /// Seconds; 0 deletes the cookie now, nil makes it last until the browser closes.
    public var maxAge: Int?
    public var secure: Bool
    public var httpOnly: Bool
    public var sameSite: SameSite

    public init(name: String, value: String, path: String = "/", maxAge: Int? = nil, secure: Bool = false,
                httpOnly: Bool = true, sameSite: SameSite = .strict) {
        self.name = name
        self.value = value
        self.path = path
        self.maxAge = maxAge
        self.secure = secure
        self.httpOnly = httpOnly
        self.sameSite = sameSite
    }

    /// Expires the cookie at once.
    public static func expired(_ name: String, path: String = "/", secure: Bool = false) -> SetCookie {
        SetCookie(name: name, value: "", path: path, maxAge: 0, secure: secure)
    }

    public var headerValue: String {
        var parts = ["\(name)=\(value)", "Path=\(path)"]
        if let maxAge {
            parts.append("Max-Age=\(maxAge)")
            if maxAge == 0 { parts.append("Expires=Thu, 01 Jan 1970 00:00:00 GMT") }
        }
        if secure { parts.append("Secure") }
        if httpOnly { parts.append("HttpOnly") }
        parts.append("SameSite=\(sameSite.rawValue)")
        return parts.joined(separator: "; ")
    }
}

extension Response {
    public mutating func setCookie(_ cookie: SetCookie) {
        headers.add("Set-Cookie", cookie.headerValue)
    }
}
