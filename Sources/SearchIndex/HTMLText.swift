import Foundation

/// Turns the small HTML subset in the Factbook's text fields (`<p>`, `<b>`, `<em>`, `<br>`,
/// named entities such as `&eacute;`) into plain text.
enum HTMLText {
    static func plain(_ html: String) -> String {
        var output = ""
        output.reserveCapacity(html.utf8.count)
        var index = html.startIndex
        while index < html.endIndex {
            let character = html[index]
            if character == "<", let close = html[index...].firstIndex(of: ">") {
                let tag = html[html.index(after: index)..<close].lowercased()
                // Block-level tags separate words; inline ones (b, em, strong) do not.
                if tag.hasPrefix("br") || tag.hasPrefix("p") || tag.hasPrefix("/p") { output.append(" ") }
                index = html.index(after: close)
            } else if character == "&", let semicolon = html[index...].prefix(12).firstIndex(of: ";") {
                let name = String(html[html.index(after: index)..<semicolon])
                if let decoded = entity(name) {
                    output.append(decoded)
                    index = html.index(after: semicolon)
                } else {
                    output.append(character)
                    index = html.index(after: index)
                }
            } else {
                output.append(character)
                index = html.index(after: index)
            }
        }
        return output.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }

    private static let named: [String: String] = [
        "amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": " ",
        "rsquo": "\u{2019}", "lsquo": "\u{2018}", "ldquo": "\u{201C}", "rdquo": "\u{201D}",
        "ndash": "\u{2013}", "mdash": "\u{2014}", "deg": "\u{00B0}", "szlig": "\u{00DF}",
    ]

    /// Accent suffixes of HTML's Latin-1 entity names and the combining marks they stand for.
    private static let accents: [String: String] = [
        "acute": "\u{0301}", "grave": "\u{0300}", "uml": "\u{0308}", "circ": "\u{0302}",
        "tilde": "\u{0303}", "ring": "\u{030A}", "cedil": "\u{0327}", "caron": "\u{030C}",
    ]

    private static func entity(_ name: String) -> String? {
        if let text = named[name] { return text }
        if name.hasPrefix("#") {
            let digits = name.dropFirst()
            let value = digits.hasPrefix("x") ? UInt32(digits.dropFirst(), radix: 16) : UInt32(digits)
            return value.flatMap(Unicode.Scalar.init).map { String(Character($0)) }
        }
        guard let base = name.first, base.isLetter else { return nil }
        let suffix = String(name.dropFirst())
        if suffix == "slash" { return base.isUppercase ? "\u{00D8}" : "\u{00F8}" }
        guard let mark = accents[suffix] else { return nil }
        return (String(base) + mark).precomposedStringWithCanonicalMapping
    }
}
