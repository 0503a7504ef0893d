/// Parses the chat-template subset of Jinja described on `ChatTemplate`.
struct JinjaParser {
    enum Segment { case text(String), output(String), statement(String) }

    let source: String
    init(_ source: String) { self.source = source }

    func fail(_ what: String) -> PolicyModelsError {
        .invalidConfiguration("the chat template uses \(what), which TurnRL's template renderer does not support (see ChatTemplate)")
    }

    // MARK: segments (with `-` trimming, trim_blocks and lstrip_blocks)

    func segments() throws(PolicyModelsError) -> [Segment] {
        var result: [Segment] = []
        let s = Array(source.unicodeScalars)
        var i = 0, text: [Unicode.Scalar] = []
        var trimNextNewline = false, trimNextWhitespace = false
        func flush() {
            if !text.isEmpty { result.append(.text(String(String.UnicodeScalarView(text)))) }
            text = []
        }
        while i < s.count {
            if s[i] == "{", i + 1 < s.count, "{%#".unicodeScalars.contains(s[i + 1]) {
                let kind = s[i + 1]
                let close: Unicode.Scalar = kind == "{" ? "}" : kind
                var j = i + 2
                var leftTrim = false
                if j < s.count, s[j] == "-" { leftTrim = true; j += 1 } else if j < s.count, s[j] == "+" { j += 1 }
                var end = j
                while end + 1 < s.count, !(s[end] == close && s[end + 1] == "}") { end += 1 }
                guard end + 1 < s.count else { throw fail("an unclosed '{\(kind)' at scalar \(i)") }
                var bodyEnd = end, rightTrim = false
                if bodyEnd > j, s[bodyEnd - 1] == "-" { rightTrim = true; bodyEnd -= 1 }
                if leftTrim {
                    while let last = text.last, last.properties.isWhitespace { text.removeLast() }
                } else if kind != "{" {
                    // lstrip_blocks: spaces/tabs between a line start (in the source) and a block tag go.
                    var k = i
                    while k > 0, s[k - 1] == " " || s[k - 1] == "\t" { k -= 1 }
                    if k == 0 || s[k - 1] == "\n" {
                        var n = i - k
                        while n > 0, let last = text.last, last == " " || last == "\t" { text.removeLast(); n -= 1 }
                    }
                }
                flush()
                let body = String(String.UnicodeScalarView(s[j..<bodyEnd]))
                if kind == "{" { result.append(.output(body)) } else if kind == "%" { result.append(.statement(body)) }
                trimNextWhitespace = rightTrim
                trimNextNewline = kind != "{"  // trim_blocks
                i = end + 2
                continue
            }
            if trimNextWhitespace {
                if s[i].properties.isWhitespace { i += 1; continue }
                trimNextWhitespace = false
            }
            if trimNextNewline {
                trimNextNewline = false
                if s[i] == "\n" { i += 1; continue }
            }
            text.append(s[i])
            i += 1
        }
        flush()
        return result
    }

    // MARK: statements

    func parseExpression(_ text: String) throws(PolicyModelsError) -> JinjaExpr {
        var p = try ExpressionParser(text, parser: self)
        return try p.parseAll()
    }

    func parseTemplate() throws(PolicyModelsError) -> [JinjaNode] {
        let segs = try segments()
        var position = 0
        let (nodes, end) = try parseBlock(segs, &position, until: [])
        if let end { throw fail("'{% \(end) %}' without its opening block") }
        return nodes
    }

    /// Parses nodes until a statement whose first word is in `until`; returns it (or nil at end).
    private func parseBlock(_ segs: [Segment], _ p: inout Int, until: Set<String>) throws(PolicyModelsError) -> ([JinjaNode], String?) {
        var nodes: [JinjaNode] = []
        while p < segs.count {
            let seg = segs[p]
            p += 1
            switch seg {
            case let .text(t): nodes.append(.text(t))
            case let .output(e): nodes.append(.output(try parseExpression(e)))
            case let .statement(body):
                let trimmed = body.trimmingWhitespace
                let word = String(trimmed.prefix { !$0.isWhitespace })
                let rest = String(trimmed.dropFirst(word.count))
                if until.contains(word) { p -= 1; return (nodes, word) }
                switch word {
                case "if":
                    var branches: [(JinjaExpr, [JinjaNode])] = []
                    var condition = try parseExpression(rest)
                    var otherwise: [JinjaNode] = []
                    branchLoop: while true {
                        let (body, end) = try parseBlock(segs, &p, until: ["elif", "else", "endif"])
                        guard let end, case let .statement(stmt) = segs[p] else { throw fail("an 'if' without 'endif'") }
                        p += 1
                        branches.append((condition, body))
                        switch end {
                        case "elif":
                            condition = try parseExpression(String(stmt.trimmingWhitespace.dropFirst(4)))
                        case "else":
                            let (elseBody, close) = try parseBlock(segs, &p, until: ["endif"])
                            guard close != nil else { throw fail("an 'else' without 'endif'") }
                            p += 1
                            otherwise = elseBody
                            break branchLoop
                        default:
                            break branchLoop
                        }
                    }
                    nodes.append(.ifBlock(branches: branches, otherwise: otherwise))
                case "for":
                    let parts = rest.trimmingWhitespace.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: true)
                    guard parts.count == 3, parts[1] == "in" else { throw fail("'{% for \(rest) %}' (only 'for name in expression')") }
                    let sequence = try parseExpression(String(parts[2]))
                    let (body, end) = try parseBlock(segs, &p, until: ["endfor", "else"])
                    guard end == "endfor" else { throw fail("a 'for' without 'endfor' (or with 'else')") }
                    p += 1
                    nodes.append(.forBlock(variable: String(parts[0]), sequence: sequence, body: body))
                case "set":
                    guard let eq = rest.firstIndex(of: "=") else { throw fail("'{% set\(rest) %}' (only 'set name = expression')") }
                    let name = rest[..<eq].trimmingWhitespace
                    guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else { throw fail("'{% set \(name) … %}'") }
                    nodes.append(.set(name: name, value: try parseExpression(String(rest[rest.index(after: eq)...]))))
                default:
                    throw fail("the statement '{% \(word) %}'")
                }
            }
        }
        return (nodes, nil)
    }
}

extension StringProtocol {
    var trimmingWhitespace: String {
        String(drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed())
    }
}
