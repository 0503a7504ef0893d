/// Tokens and a recursive-descent parser for template expressions. Precedence, lowest
/// first: `or`, `and`, `not`, comparisons / `in` / `is`, `+ - ~`, then postfix `.a`, `[k]`, `|f`.
struct ExpressionParser {
    enum Token: Equatable { case name(String), string(String), int(Int), op(String) }

    private var tokens: [Token] = []
    private var p = 0
    private let parser: JinjaParser
    private let text: String

    init(_ text: String, parser: JinjaParser) throws(PolicyModelsError) {
        self.parser = parser
        self.text = text
        tokens = try Self.lex(text, parser)
    }

    private static func lex(_ text: String, _ parser: JinjaParser) throws(PolicyModelsError) -> [Token] {
        var out: [Token] = []
        let s = Array(text.unicodeScalars)
        var i = 0
        while i < s.count {
            let c = s[i]
            if c.properties.isWhitespace { i += 1; continue }
            if c == "'" || c == "\"" {
                var value = "", j = i + 1
                while j < s.count, s[j] != c {
                    if s[j] == "\\", j + 1 < s.count {
                        j += 1
                        switch s[j] {
                        case "n": value += "\n"
                        case "t": value += "\t"
                        case "r": value += "\r"
                        default: value.unicodeScalars.append(s[j])
                        }
                    } else {
                        value.unicodeScalars.append(s[j])
                    }
                    j += 1
                }
                guard j < s.count else { throw parser.fail("an unterminated string in '\(text)'") }
                out.append(.string(value))
                i = j + 1
            } else if c.properties.isAlphabetic || c == "_" {
                var j = i
                while j < s.count, s[j].properties.isAlphabetic || s[j] == "_" || ("0"..."9").contains(s[j]) { j += 1 }
                out.append(.name(String(String.UnicodeScalarView(s[i..<j]))))
                i = j
            } else if ("0"..."9").contains(c) {
                var j = i
                while j < s.count, ("0"..."9").contains(s[j]) { j += 1 }
                out.append(.int(Int(String(String.UnicodeScalarView(s[i..<j])))!))
                i = j
            } else {
                let two = i + 1 < s.count ? String(String.UnicodeScalarView([c, s[i + 1]])) : ""
                if ["==", "!=", "<=", ">="].contains(two) {
                    out.append(.op(two)); i += 2
                } else if "+-~.[]()|<>,".unicodeScalars.contains(c) {
                    out.append(.op(String(c))); i += 1
                } else {
                    throw parser.fail("the character '\(c)' in expression '\(text)'")
                }
            }
        }
        return out
    }

    mutating func parseAll() throws(PolicyModelsError) -> JinjaExpr {
        let e = try parseOr()
        guard p == tokens.count else { throw parser.fail("the expression '\(text)' (unexpected \(tokens[p]))") }
        return e
    }

    private func peek(_ t: Token) -> Bool { p < tokens.count && tokens[p] == t }
    private mutating func take(_ t: Token) -> Bool {
        if peek(t) { p += 1; return true }
        return false
    }

    private mutating func parseOr() throws(PolicyModelsError) -> JinjaExpr {
        var e = try parseAnd()
        while take(.name("or")) { e = .binary("or", e, try parseAnd()) }
        return e
    }

    private mutating func parseAnd() throws(PolicyModelsError) -> JinjaExpr {
        var e = try parseNot()
        while take(.name("and")) { e = .binary("and", e, try parseNot()) }
        return e
    }

    private mutating func parseNot() throws(PolicyModelsError) -> JinjaExpr {
        if take(.name("not")) { return .not(try parseNot()) }
        return try parseComparison()
    }

    private mutating func parseComparison() throws(PolicyModelsError) -> JinjaExpr {
        var e = try parseSum()
        while p < tokens.count {
            if case let .op(o) = tokens[p], ["==", "!=", "<", ">", "<=", ">="].contains(o) {
                p += 1
                e = .binary(o, e, try parseSum())
            } else if take(.name("in")) {
                e = .binary("in", e, try parseSum())
            } else if peek(.name("not")), p + 1 < tokens.count, tokens[p + 1] == .name("in") {
                p += 2
                e = .not(.binary("in", e, try parseSum()))
            } else if take(.name("is")) {
                let negated = take(.name("not"))
                guard p < tokens.count, case let .name(test) = tokens[p] else { throw parser.fail("'is' without a test name in '\(text)'") }
                p += 1
                e = .test(e, test, negated: negated)
            } else {
                break
            }
        }
        return e
    }

    private mutating func parseSum() throws(PolicyModelsError) -> JinjaExpr {
        var e = try parsePostfix()
        while p < tokens.count, case let .op(o) = tokens[p], ["+", "-", "~"].contains(o) {
            p += 1
            e = .binary(o, e, try parsePostfix())
        }
        return e
    }

    private mutating func parsePostfix() throws(PolicyModelsError) -> JinjaExpr {
        var e = try parsePrimary()
        while true {
            if take(.op(".")) {
                guard p < tokens.count, case let .name(n) = tokens[p] else { throw parser.fail("'.' without a name in '\(text)'") }
                p += 1
                e = .attribute(e, n)
            } else if take(.op("[")) {
                let key = try parseOr()
                guard take(.op("]")) else { throw parser.fail("a '[' without ']' in '\(text)'") }
                e = .index(e, key)
            } else if take(.op("|")) {
                guard p < tokens.count, case let .name(f) = tokens[p] else { throw parser.fail("'|' without a filter name in '\(text)'") }
                p += 1
                guard ["trim", "length", "upper", "lower"].contains(f), !peek(.op("(")) else {
                    throw parser.fail("the filter '\(f)' in '\(text)' (supported: trim, length, upper, lower)")
                }
                e = .filter(e, f)
            } else {
                return e
            }
        }
    }

    private mutating func parsePrimary() throws(PolicyModelsError) -> JinjaExpr {
        guard p < tokens.count else { throw parser.fail("the expression '\(text)' ends early") }
        let t = tokens[p]
        p += 1
        switch t {
        case let .string(s): return .literal(.string(s))
        case let .int(i): return .literal(.int(i))
        case .name("true"), .name("True"): return .literal(.bool(true))
        case .name("false"), .name("False"): return .literal(.bool(false))
        case .name("none"), .name("None"): return .literal(.none)
        case let .name(n):
            if peek(.op("(")) { throw parser.fail("the call '\(n)(…)' in '\(text)' (function calls are not supported)") }
            return .name(n)
        case .op("["):
            var items: [JinjaExpr] = []
            while !take(.op("]")) {
                items.append(try parseOr())
                guard take(.op(",")) || peek(.op("]")) else { throw parser.fail("a list without ']' in '\(text)'") }
            }
            return .list(items)
        case .op("("):
            let e = try parseOr()
            guard take(.op(")")) else { throw parser.fail("a '(' without ')' in '\(text)'") }
            return e
        default:
            throw parser.fail("the token \(t) in '\(text)'")
        }
    }
}
