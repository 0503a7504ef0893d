import Foundation

/// Flattens a run's `config.yaml` into dotted key paths, in file order, for the side-by-side table.
///
/// A report must not need a YAML library (RunReport depends on Foundation only), and a resolved
/// config is plain block YAML: nested mappings, `- item` lists (of scalars or of mappings),
/// comments, quoted scalars, flow values like `[1, 2]` (kept as text) and `|` / `>` block scalars.
/// That subset is what this reads; anchors, tags and multi-document files are not expected in a
/// config and their lines are shown as they are.
enum ConfigFlattener {
    static func flatten(_ text: String) -> [KeyValue] {
        var entries: [KeyValue] = []
        // Open parents: indentation of their keys, the key path they start, and whether they are
        // a list item (a sibling `- ` at the same indentation closes an item, not its list's key).
        var parents: [(indent: Int, path: String, isItem: Bool)] = []
        var listCounts: [String: Int] = [:]
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { String($0).replacingOccurrences(of: "\r", with: "") }
        var index = 0

        while index < lines.count {
            let line = lines[index]
            index += 1
            let indent = line.prefix { $0 == " " }.count
            var content = String(line.dropFirst(indent))
            if content.isEmpty || content.hasPrefix("#") || content == "---" || content == "..." { continue }

            let isItem = content == "-" || content.hasPrefix("- ")
            // YAML lets a list sit at its key's own indentation (`tools:` then `- python`).
            while let last = parents.last, last.indent > indent || (last.indent == indent && (!isItem || last.isItem)) {
                parents.removeLast()
            }
            var prefix = parents.last?.path ?? ""
            var keyIndent = indent

            // A list item: the next index under the current parent; `- key: value` opens a mapping.
            if isItem {
                let n = listCounts[prefix, default: 0]
                listCounts[prefix] = n + 1
                prefix += "[\(n)]"
                content = String(content.dropFirst(1)).trimmingCharacters(in: .whitespaces)
                keyIndent = indent + 2
                parents.append((indent, prefix, true))
                if content.isEmpty { continue }
                if splitKeyValue(content) == nil {
                    entries.append(KeyValue(key: prefix, value: scalar(stripComment(content))))
                    continue
                }
            }

            guard let (key, rawValue) = splitKeyValue(content) else {
                entries.append(KeyValue(key: prefix.isEmpty ? content : prefix, value: prefix.isEmpty ? "" : scalar(content)))
                continue
            }
            let path = prefix.isEmpty ? key : "\(prefix).\(key)"
            let value = stripComment(rawValue)
            if value.isEmpty {
                parents.append((keyIndent, path, false))
            } else if let style = value.first, style == "|" || style == ">", value.count <= 3 {
                var block: [String] = []
                while index < lines.count {
                    let next = lines[index]
                    let nextIndent = next.prefix { $0 == " " }.count
                    if !next.trimmingCharacters(in: .whitespaces).isEmpty && nextIndent <= keyIndent { break }
                    block.append(next.trimmingCharacters(in: .whitespaces))
                    index += 1
                }
                while block.last?.isEmpty == true { block.removeLast() }
                entries.append(KeyValue(key: path, value: block.joined(separator: style == "|" ? "\n" : " ")))
            } else {
                entries.append(KeyValue(key: path, value: scalar(value)))
            }
        }
        return entries
    }

    /// `key: value` → (key, value) when the line is a mapping entry (the colon outside quotes,
    /// followed by a space or the end of the line).
    private static func splitKeyValue(_ content: String) -> (String, String)? {
        var inQuote: Character? = nil
        var previous: Character? = nil
        for (offset, character) in content.enumerated() {
            if let quote = inQuote {
                if character == quote { inQuote = nil }
            } else if character == "\"" || character == "'", previous == nil {
                inQuote = character
            } else if character == ":" {
                let rest = content.dropFirst(offset + 1)
                if rest.isEmpty || rest.first == " " {
                    let key = scalar(String(content.prefix(offset)))
                    return (key, rest.trimmingCharacters(in: .whitespaces))
                }
            } else if character == "#" && previous == " " {
                return nil
            }
            previous = character
        }
        return nil
    }

    /// Drops a trailing ` # comment` outside quotes.
    private static func stripComment(_ value: String) -> String {
        var inQuote: Character? = nil
        var previous: Character = " "
        for (offset, character) in value.enumerated() {
            if let quote = inQuote {
                if character == quote { inQuote = nil }
            } else if (character == "\"" || character == "'") && offset == 0 {
                inQuote = character
            } else if character == "#" && previous == " " {
                return String(value.prefix(offset)).trimmingCharacters(in: .whitespaces)
            }
            previous = character
        }
        return value.trimmingCharacters(in: .whitespaces)
    }

    /// A scalar without its surrounding quotes (`''` inside single quotes is one quote).
    private static func scalar(_ text: String) -> String {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard trimmed.count >= 2, let first = trimmed.first, first == trimmed.last, first == "\"" || first == "'" else {
            return trimmed
        }
        let inner = String(trimmed.dropFirst().dropLast())
        return first == "'" ? inner.replacingOccurrences(of: "''", with: "'") : inner.replacingOccurrences(of: "\\\"", with: "\"")
    }
}
