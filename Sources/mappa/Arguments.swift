import Foundation

/// A small command-line parser: `--name value` (or `--name=value`), `--flag` (or `--flag=yes|no`), and positional
/// words. Enough for `mappa`'s subcommands, with errors that say what to type instead.
struct Arguments {
    var positional: [String] = []
    var options: [String: String] = [:]
    var flags: Set<String> = []

    struct UsageError: Error, CustomStringConvertible {
        var description: String
    }

    /// `flagNames` are options that take no value.
    init(_ words: [String], flagNames: Set<String>) throws {
        var index = 0
        while index < words.count {
            let word = words[index]
            if word.hasPrefix("--") {
                var name = String(word.dropFirst(2))
                if let equals = name.firstIndex(of: "=") {
                    let key = String(name[..<equals]), value = String(name[name.index(after: equals)...])
                    if flagNames.contains(key) {
                        // `--secure-cookies=yes`: how a systemd unit sets a flag from its configuration file.
                        switch value.lowercased() {
                        case "yes", "true", "on", "1": flags.insert(key)
                        case "no", "false", "off", "0", "": break
                        default: throw UsageError(description: "--\(key) takes yes or no, not '\(value.prefix(40))'")
                        }
                    } else {
                        options[key] = value
                    }
                    name = ""
                } else if flagNames.contains(name) {
                    flags.insert(name)
                } else {
                    guard index + 1 < words.count else { throw UsageError(description: "--\(name) needs a value") }
                    options[name] = words[index + 1]
                    index += 1
                }
            } else if word == "-h" {
                flags.insert("help")
            } else {
                positional.append(word)
            }
            index += 1
        }
    }

    func value(_ name: String) -> String? { options[name] }
    func has(_ flag: String) -> Bool { flags.contains(flag) }

    func required(_ name: String) throws -> String {
        guard let value = options[name], !value.isEmpty else { throw UsageError(description: "--\(name) is required") }
        return value
    }

    /// Fails on any option the command does not know, so a typo is not silently ignored.
    func allowOnly(_ names: Set<String>) throws {
        let unknown = Set(options.keys).union(flags).subtracting(names).subtracting(["help"])
        if let first = unknown.sorted().first { throw UsageError(description: "unknown option --\(first)") }
    }
}
