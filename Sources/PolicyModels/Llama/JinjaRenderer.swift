/// Evaluates parsed template nodes against nested scopes (the innermost last).
struct JinjaRenderer {
    var scopes: [[String: JinjaValue]]

    private func fail(_ what: String) -> PolicyModelsError {
        .invalidConfiguration("chat template: \(what)")
    }

    mutating func render(_ nodes: [JinjaNode], into out: inout String) throws(PolicyModelsError) {
        for node in nodes {
            switch node {
            case let .text(t): out += t
            case let .output(e): out += try evaluate(e).text
            case let .set(name, value): scopes[scopes.count - 1][name] = try evaluate(value)
            case let .ifBlock(branches, otherwise):
                var taken = false
                for (condition, body) in branches where try evaluate(condition).truthy {
                    try render(body, into: &out)
                    taken = true
                    break
                }
                if !taken { try render(otherwise, into: &out) }
            case let .forBlock(variable, sequence, body):
                let items: [JinjaValue]
                switch try evaluate(sequence) {
                case let .array(a): items = a
                case let .dict(d): items = d.keys.sorted().map { .string($0) }
                case let .string(s): items = s.map { .string(String($0)) }
                case .undefined, .none: items = []
                default: throw fail("cannot loop over a number or boolean")
                }
                for (i, item) in items.enumerated() {
                    let loop: JinjaValue = .dict(["first": .bool(i == 0), "last": .bool(i == items.count - 1),
                                                  "index": .int(i + 1), "index0": .int(i), "length": .int(items.count)])
                    scopes.append([variable: item, "loop": loop])
                    try render(body, into: &out)
                    scopes.removeLast()
                }
            }
        }
    }

    func evaluate(_ e: JinjaExpr) throws(PolicyModelsError) -> JinjaValue {
        switch e {
        case let .literal(v): return v
        case let .list(items):
            var values: [JinjaValue] = []
            for item in items { values.append(try evaluate(item)) }
            return .array(values)
        case let .name(n):
            for scope in scopes.reversed() { if let v = scope[n] { return v } }
            return .undefined
        case let .attribute(base, name):
            if case let .dict(d) = try evaluate(base) { return d[name] ?? .undefined }
            return .undefined
        case let .index(base, key):
            let b = try evaluate(base), k = try evaluate(key)
            switch (b, k) {
            case let (.dict(d), .string(s)): return d[s] ?? .undefined
            case let (.array(a), .int(i)):
                let at = i < 0 ? a.count + i : i
                return a.indices.contains(at) ? a[at] : .undefined
            default: return .undefined
            }
        case let .not(inner): return .bool(!(try evaluate(inner).truthy))
        case let .test(inner, test, negated):
            let v = try evaluate(inner)
            let result: Bool
            switch test {
            case "defined": result = v != .undefined
            case "undefined": result = v == .undefined
            case "none": result = v == .none
            case "string": if case .string = v { result = true } else { result = false }
            default: throw fail("unknown test 'is \(test)'")
            }
            return .bool(result != negated)
        case let .filter(inner, name):
            let v = try evaluate(inner)
            switch (name, v) {
            case let ("trim", .string(s)): return .string(s.trimmingWhitespace)
            case let ("upper", .string(s)): return .string(s.uppercased())
            case let ("lower", .string(s)): return .string(s.lowercased())
            case let ("length", .string(s)): return .int(s.count)
            case let ("length", .array(a)): return .int(a.count)
            case let ("length", .dict(d)): return .int(d.count)
            default: throw fail("filter '\(name)' cannot apply to \(v.text)")
            }
        case let .binary(op, l, r):
            if op == "and" { let a = try evaluate(l); return a.truthy ? try evaluate(r) : a }
            if op == "or" { let a = try evaluate(l); return a.truthy ? a : try evaluate(r) }
            let a = try evaluate(l), b = try evaluate(r)
            switch op {
            case "==": return .bool(a == b)
            case "!=": return .bool(a != b)
            case "~": return .string(a.text + b.text)
            case "+":
                switch (a, b) {
                case let (.string(x), .string(y)): return .string(x + y)
                case let (.int(x), .int(y)): return .int(x + y)
                case let (.array(x), .array(y)): return .array(x + y)
                default: throw fail("cannot add \(a.text) and \(b.text)")
                }
            case "-":
                guard case let .int(x) = a, case let .int(y) = b else { throw fail("cannot subtract non-numbers") }
                return .int(x - y)
            case "in":
                switch b {
                case let .string(s): if case let .string(x) = a { return .bool(s.contains(x)) }
                case let .array(items): return .bool(items.contains(a))
                case let .dict(d): if case let .string(x) = a { return .bool(d[x] != nil) }
                default: break
                }
                return .bool(false)
            case "<", ">", "<=", ">=":
                guard case let .int(x) = a, case let .int(y) = b else { throw fail("cannot order non-numbers") }
                switch op {
                case "<": return .bool(x < y)
                case ">": return .bool(x > y)
                case "<=": return .bool(x <= y)
                default: return .bool(x >= y)
                }
            default: throw fail("unknown operator \(op)")
            }
        }
    }
}
