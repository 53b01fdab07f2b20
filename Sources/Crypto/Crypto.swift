import CSodium
import Foundation

/// libsodium wrapper: password hashing (argon2id), random tokens, SHA-256 and HMAC-SHA-256.
/// https://doc.libsodium.org/password_hashing/default_phf , https://doc.libsodium.org/hashing/generic_hashing
public enum Crypto {
    /// sodium_init is idempotent and thread-safe; call it before any other libsodium function.
    private static let initialised: Bool = sodium_init() >= 0

    public struct CryptoError: Error, Sendable, CustomStringConvertible {
        public var code: String
        public var description: String
    }

    /// Hashes a password with argon2id at libsodium's "interactive" limits (~100 ms here), returning the
    /// self-describing `$argon2id$…` string, which holds its own salt and parameters.
    public static func hashPassword(_ password: String) throws -> String {
        precondition(initialised)
        var out = [CChar](repeating: 0, count: Int(crypto_pwhash_STRBYTES))
        let length = UInt64(password.utf8.count)
        let result = password.withCString { passwordPointer in
            crypto_pwhash_str(&out, passwordPointer, length,
                              UInt64(crypto_pwhash_OPSLIMIT_INTERACTIVE), Int(crypto_pwhash_MEMLIMIT_INTERACTIVE))
        }
        guard result == 0 else { throw CryptoError(code: "pwhash", description: "password hashing ran out of memory") }
        return String(decoding: out.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Verifies a password against a stored `$argon2id$…` string in constant time.
    public static func verifyPassword(_ password: String, hash: String) -> Bool {
        precondition(initialised)
        let length = UInt64(password.utf8.count)
        return hash.withCString { stored in
            password.withCString { passwordPointer in
                crypto_pwhash_str_verify(stored, passwordPointer, length) == 0
            }
        }
    }

    public static func randomBytes(_ count: Int) -> [UInt8] {
        precondition(initialised)
        var bytes = [UInt8](repeating: 0, count: count)
        randombytes_buf(&bytes, count)
        return bytes
    }

    /// A URL-safe random token of `byteCount` bytes of entropy (32 = 256 bits), hex-encoded.
    public static func randomToken(byteCount: Int = 32) -> String { hex(randomBytes(byteCount)) }

    public static func sha256(_ data: [UInt8]) -> [UInt8] {
        precondition(initialised)
        var out = [UInt8](repeating: 0, count: Int(crypto_hash_sha256_BYTES))
        crypto_hash_sha256(&out, data, UInt64(data.count))
        return out
    }

    public static func sha256Hex(_ text: String) -> String { hex(sha256(Array(text.utf8))) }

    /// The length of an HMAC-SHA-256 key in bytes (`crypto_auth_hmacsha256_KEYBYTES`, 32).
    public static let hmacKeyLength = Int(crypto_auth_hmacsha256_KEYBYTES)

    /// HMAC-SHA-256 of `text` under `key` (libsodium `crypto_auth_hmacsha256`, which takes a key of exactly
    /// `crypto_auth_hmacsha256_KEYBYTES`), hex-encoded: the audit chain's keyed hash and its checkpoints' MAC.
    /// https://doc.libsodium.org/advanced/hmac-sha2
    public static func hmacSHA256Hex(key: [UInt8], _ text: String) -> String {
        precondition(initialised)
        precondition(key.count == hmacKeyLength, "an HMAC-SHA-256 key is \(hmacKeyLength) bytes")
        var out = [UInt8](repeating: 0, count: Int(crypto_auth_hmacsha256_BYTES))
        let data = Array(text.utf8)
        crypto_auth_hmacsha256(&out, data, UInt64(data.count), key)
        return hex(out)
    }

    /// Bytes from hex digits (either case); nil when `text` is not an even number of hex digits.
    public static func bytes(hex text: String) -> [UInt8]? {
        let digits = Array(text.utf8)
        guard digits.count % 2 == 0 else { return nil }
        func value(_ digit: UInt8) -> UInt8? {
            switch digit {
            case 48...57: return digit - 48
            case 97...102: return digit - 87
            case 65...70: return digit - 55
            default: return nil
            }
        }
        var out = [UInt8]()
        out.reserveCapacity(digits.count / 2)
        var index = 0
        while index < digits.count {
            guard let high = value(digits[index]), let low = value(digits[index + 1]) else { return nil }
            out.append(high << 4 | low)
            index += 2
        }
        return out
    }

    /// Constant-time comparison, for tokens (sodium_memcmp).
    public static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        return sodium_memcmp(a, b, a.count) == 0
    }
    public static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        constantTimeEqual(Array(a.utf8), Array(b.utf8))
    }

    public static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
