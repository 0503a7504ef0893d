import Foundation
import ToolSandbox

/// Reads task JSONL files: one JSON object per line, blank lines skipped; every problem names
/// the file and line.
public enum TaskFile {
    public static func load(_ url: URL) throws -> [TaskRecord] {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw EnvironmentError.missingFile(path: url.path, referencedBy: nil, field: nil)
        }
        return try parse(String(decoding: data, as: UTF8.self), file: url.path)
    }

    public static func parse(_ text: String, file: String) throws -> [TaskRecord] {
        var records: [TaskRecord] = []
        var firstLine: [String: Int] = [:]
        var lineNumber = 0
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.isEmpty { continue }
            let location = SourceLocation(file: file, line: lineNumber)
            guard let value = decodeJSON(trimmed) else {
                throw EnvironmentError.taskFile(location, problem: "not valid JSON: \(trimmed.prefix(80))")
            }
            guard case .object(let object) = value else {
                throw EnvironmentError.taskFile(location, problem: "a JSON \(ToolDescriptor.typeName(value)), not an object")
            }
            switch TaskRecord.from(object) {
            case .failure(let problem):
                throw EnvironmentError.taskFile(location, problem: problem.message)
            case .success(let record):
                if let first = firstLine[record.id] {
                    throw EnvironmentError.duplicate(what: "task id", name: record.id, first: "\(file):\(first)", second: location.description)
                }
                firstLine[record.id] = lineNumber
                records.append(record)
            }
        }
        return records
    }

    /// Task records from a generator's JSON result (`where_` names the generator in errors).
    static func records(from value: JSONValue, source: String) throws -> [TaskRecord] {
        guard case .array(let items) = value else {
            throw EnvironmentError.python(SourceLocation(file: source), problem: "generate() must return a list of task dicts")
        }
        var records: [TaskRecord] = []
        var seen: Set<String> = []
        for (index, item) in items.enumerated() {
            guard case .object(let object) = item else {
                throw EnvironmentError.python(SourceLocation(file: source), problem: "generate() item \(index) is not a dict")
            }
            switch TaskRecord.from(object) {
            case .failure(let problem):
                throw EnvironmentError.python(SourceLocation(file: source), problem: "generate() item \(index): \(problem.message)")
            case .success(let record):
                guard seen.insert(record.id).inserted else {
                    throw EnvironmentError.duplicate(what: "task id", name: record.id, first: "\(source) (generated)", second: "item \(index)")
                }
                records.append(record)
            }
        }
        return records
    }
}
