/// Everything that can go wrong while building or querying a search index. Each case says what
/// failed, where, and what to do about it.
public enum SearchIndexError: Error, CustomStringConvertible, Sendable {
    /// SQLite reported an error; `context` names the statement or step.
    case sqlite(code: Int32, message: String, context: String)
    /// An input file could not be read or parsed.
    case badInput(path: String, line: Int?, reason: String)
    /// A required corpus is not installed.
    case corpusMissing(name: String, expectedAt: String, fix: String)
    /// The file is not a TurnRL search index (or was made by an incompatible version).
    case notAnIndex(path: String, reason: String)
    /// Two passages share one id.
    case duplicateID(id: String, source: String)
    /// A configuration value is out of range.
    case invalidConfiguration(field: String, reason: String)

    public var description: String {
        switch self {
        case .sqlite(let code, let message, let context):
            return "SQLite error \(code) during \(context): \(message). If the index file is damaged, rebuild it with `turnrl index build`."
        case .badInput(let path, let line, let reason):
            let location = line.map { "\(path):\($0)" } ?? path
            return "\(location): \(reason)"
        case .corpusMissing(let name, let expectedAt, let fix):
            return "The corpus \(name) is not installed (looked in \(expectedAt)). \(fix)"
        case .notAnIndex(let path, let reason):
            return "\(path) is not a TurnRL search index: \(reason). Build one with `turnrl index build --preset knowledge` (the bundled corpus) or `turnrl index build --jsonl FILE --out \(path)`."
        case .duplicateID(let id, let source):
            return "Duplicate passage id \"\(id)\" in \(source): document ids must be unique; give each document its own \"id\"."
        case .invalidConfiguration(let field, let reason):
            return "Invalid search index configuration: \(field) \(reason)."
        }
    }
}
