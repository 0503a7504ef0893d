/// A value while rendering a chat template.
enum JinjaValue: Equatable, Sendable {
    case string(String)
    case int(Int)
    case bool(Bool)
    case none
    case undefined
    case array([JinjaValue])
    case dict([String: JinjaValue])

    var truthy: Bool {
        switch self {
        case let .string(s): return !s.isEmpty
        case let .int(i): return i != 0
        case let .bool(b): return b
        case .none, .undefined: return false
        case let .array(a): return !a.isEmpty
        case let .dict(d): return !d.isEmpty
        }
    }

    /// What `{{ value }}` prints (Python's str(); undefined prints nothing).
    var text: String {
        switch self {
        case let .string(s): return s
        case let .int(i): return String(i)
        case let .bool(b): return b ? "True" : "False"
        case .none: return "None"
        case .undefined: return ""
        case let .array(a): return "[" + a.map(\.repr).joined(separator: ", ") + "]"
        case let .dict(d): return "{" + d.keys.sorted().map { "'\($0)': \(d[$0]!.repr)" }.joined(separator: ", ") + "}"
        }
    }

    private var repr: String {
        if case let .string(s) = self { return "'\(s)'" }
        return text
    }
}

/// A parsed template piece.
indirect enum JinjaNode: Sendable {
    case text(String)
    case output(JinjaExpr)
    case ifBlock(branches: [(JinjaExpr, [JinjaNode])], otherwise: [JinjaNode])
    case forBlock(variable: String, sequence: JinjaExpr, body: [JinjaNode])
    case set(name: String, value: JinjaExpr)
}

/// A parsed expression.
indirect enum JinjaExpr: Sendable {
    case literal(JinjaValue)
    case list([JinjaExpr])
    case name(String)
    case attribute(JinjaExpr, String)
    case index(JinjaExpr, JinjaExpr)
    case binary(String, JinjaExpr, JinjaExpr)
    case not(JinjaExpr)
    case test(JinjaExpr, String, negated: Bool)
    case filter(JinjaExpr, String)
}
