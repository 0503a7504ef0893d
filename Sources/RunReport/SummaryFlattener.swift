import Foundation

/// Flattens a run's `summary.json` (what `turnrl train --json` prints) into dotted key paths:
/// `run`, `episodes`, `final.successRate`, `before.successRate`, `after.successRate`, `checkpoint`, …
///
/// The contract's keys come first in that order, then the rest alphabetically; arrays are shown as
/// compact JSON, numbers through `NumberText`, and an estimate object `{"mean","low","high"}`
/// (Learners' bootstrap confidence interval) as one cell `mean [low, high]`.
enum SummaryFlattener {
    static func flatten(_ data: Data, source: String) throws -> [KeyValue] {
        let value: JSONValue
        do {
            value = try JSONDecoder().decode(JSONValue.self, from: data)
        } catch {
            throw RunReportError.malformedSummary(path: source, reason: "not valid JSON (\(error.localizedDescription))")
        }
        guard case .object = value else {
            throw RunReportError.malformedSummary(path: source, reason: "expected a JSON object")
        }
        var entries: [KeyValue] = []
        collect(value, path: "", into: &entries)
        return entries.sorted { rank($0.key) < rank($1.key) || (rank($0.key) == rank($1.key) && $0.key < $1.key) }
    }

    /// The contract's top-level keys, in the order a reader wants them.
    private static let order = ["run", "episodes", "final", "before", "after", "checkpoint"]

    private static func rank(_ key: String) -> Int {
        let head = key.split(separator: ".", maxSplits: 1).first.map(String.init) ?? key
        return order.firstIndex(of: head) ?? order.count
    }

    private static func collect(_ value: JSONValue, path: String, into entries: inout [KeyValue]) {
        // An estimate with its bootstrap interval (`{"mean","low","high"}`) reads as one cell.
        if case .object(let members) = value, Set(members.keys) == ["mean", "low", "high"],
            case .number(let mean)? = members["mean"], case .number(let low)? = members["low"], case .number(let high)? = members["high"]
        {
            entries.append(KeyValue(key: path, value: "\(NumberText.value(mean)) [\(NumberText.value(low)), \(NumberText.value(high))]"))
        } else if case .object(let members) = value {
            for (key, member) in members {
                collect(member, path: path.isEmpty ? key : "\(path).\(key)", into: &entries)
            }
        } else {
            entries.append(KeyValue(key: path, value: value.text))
        }
    }
}

/// Just enough of JSON to show any summary value as text.
private indirect enum JSONValue: Decodable {
    case null, bool(Bool), number(Double), string(String), array([JSONValue]), object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let bool = try? container.decode(Bool.self) { self = .bool(bool) }
        else if let number = try? container.decode(Double.self) { self = .number(number) }
        else if let string = try? container.decode(String.self) { self = .string(string) }
        else if let array = try? container.decode([JSONValue].self) { self = .array(array) }
        else { self = .object(try container.decode([String: JSONValue].self)) }
    }

    var text: String {
        switch self {
        case .null: return "null"
        case .bool(let bool): return String(bool)
        case .number(let number): return NumberText.value(number)
        case .string(let string): return string
        case .array(let items): return "[" + items.map(\.text).joined(separator: ", ") + "]"
        case .object(let members):
            return "{" + members.keys.sorted().map { "\($0): \(members[$0]!.text)" }.joined(separator: ", ") + "}"
        }
    }
}
