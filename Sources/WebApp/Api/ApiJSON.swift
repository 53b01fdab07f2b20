import Domain
import Foundation
import HTTPServer

/// A JSON value as the API reads and writes it. Request bodies are decoded into this first, so every field
/// can be checked and every problem reported at once, instead of stopping at the first one as `Decodable`
/// does; responses are built from it so `null` is written out rather than left out.
enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    subscript(_ key: String) -> JSONValue? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    /// The JSON type name, for messages such as "must be a string, not a number".
    var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .int, .double: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }

    /// `nil` as JSON null, so optional values can be written inline.
    init<T>(_ value: T?, _ transform: (T) -> JSONValue) {
        self = value.map(transform) ?? .null
    }

    static func date(_ date: CalendarDate?) -> JSONValue { JSONValue(date) { .string($0.description) } }
    static func nullable(_ value: Int64?) -> JSONValue { JSONValue(value) { .int($0) } }
    static func nullable(_ value: String?) -> JSONValue { JSONValue(value) { .string($0) } }

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    var encoded: [UInt8] { Array((try? Self.encoder.encode(self)) ?? Data("null".utf8)) }

    /// Parses a request body; nil when it is not JSON at all.
    static func parse(_ bytes: [UInt8]) -> JSONValue? {
        try? JSONDecoder().decode(JSONValue.self, from: Data(bytes))
    }
}

extension JSONValue: Codable {
    init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        // Bool before numbers: the decoder will not read `1` as a Bool, nor `true` as a number.
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int64.self) {
            self = .int(value)
        } else if let value = try? container.decode(Double.self) {
            self = .double(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .int(let value): try container.encode(value)
        case .double(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
                     ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral {
    init(stringLiteral value: String) { self = .string(value) }
    init(integerLiteral value: Int64) { self = .int(value) }
    init(booleanLiteral value: Bool) { self = .bool(value) }
    init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
    init(nilLiteral: ()) { self = .null }
}

extension Response {
    static func json(_ value: JSONValue, status: Int = 200) -> Response {
        .json(value.encoded, status: status)
    }

    /// An RFC 9457 problem document that also lists field problems (`errors`), for clients to show next to
    /// their own inputs.
    static func problem(_ error: HTTPError, errors: [ValidationProblem] = []) -> Response {
        var body: [String: JSONValue] = ["type": "about:blank", "title": .string(error.description),
                                         "status": .int(Int64(error.status)), "code": .string(error.code)]
        if !errors.isEmpty {
            body["errors"] = .array(errors.map { ["field": .string($0.field), "message": .string($0.message)] })
        }
        return .json(JSONValue.object(body).encoded, status: error.status, contentType: "application/problem+json")
    }
}
