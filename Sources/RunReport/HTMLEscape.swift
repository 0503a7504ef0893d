/// Text made safe for HTML and inline SVG: element content and double- or single-quoted attributes.
enum HTMLEscape {
    static func text(_ raw: String) -> String {
        var out = ""
        out.reserveCapacity(raw.utf8.count)
        for character in raw {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }
}
