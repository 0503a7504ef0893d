/// One metadata value of a GGUF file (the `general.*`, `llama.*`, `tokenizer.*` keys).
public enum GGUFValue: Sendable, Equatable {
    case uint(UInt64)
    case int(Int64)
    case float(Double)
    case bool(Bool)
    case string(String)
    case array([GGUFValue])

    /// The value as an integer, when it is one (of any width or signedness).
    public var intValue: Int? {
        switch self {
        case let .uint(v): return Int(exactly: v)
        case let .int(v): return Int(exactly: v)
        default: return nil
        }
    }

    /// The value as a float, when it is a number.
    public var doubleValue: Double? {
        switch self {
        case let .float(v): return v
        case let .uint(v): return Double(v)
        case let .int(v): return Double(v)
        default: return nil
        }
    }

    public var stringValue: String? {
        if case let .string(s) = self { return s }
        return nil
    }

    public var boolValue: Bool? {
        if case let .bool(b) = self { return b }
        return nil
    }

    public var arrayValue: [GGUFValue]? {
        if case let .array(a) = self { return a }
        return nil
    }
}
