import ToolSandbox
import Yams

/// Tasks written inside env.yaml (`tasks: {train: [...], test: [...]}`), so a small environment
/// needs no task file. Each item is a mapping with the fields of a task file line; problems name
/// env.yaml's line and the item (`tasks.train[2]`).
extension ManifestLoader {
    /// The task records of a `tasks.train` / `tasks.test` list.
    static func inlineTasks(_ reader: NodeReader, _ items: [Node], split: String) throws -> [TaskRecord] {
        var records: [TaskRecord] = []
        var firstLine: [String: Int] = [:]
        for (index, item) in items.enumerated() {
            let field = "tasks.\(split)[\(index)]"
            guard case .mapping = item, case .object(let object) = try reader.json(item, field: field) else {
                throw EnvironmentError.manifest(reader.location(item), field: field, problem: "must be a mapping, found \(reader.kind(item))", fix: "Write each task as {id: \(split)-1, kind: easy, prompt: \"...\", answer: ...}.")
            }
            switch TaskRecord.from(object) {
            case .failure(let problem):
                throw EnvironmentError.manifest(reader.location(item), field: field, problem: problem.message, fix: "Each task needs id (text), prompt (text) and answer; kind (text) is optional.")
            case .success(let record):
                let line = reader.location(item).line
                if let first = firstLine[record.id] {
                    throw EnvironmentError.duplicate(what: "task id", name: record.id, first: "\(reader.file):\(first)", second: "\(reader.file):\(line)")
                }
                firstLine[record.id] = line
                records.append(record)
            }
        }
        return records
    }
}

extension NodeReader {
    /// A YAML node as JSON: plain scalars by their resolved YAML type (int, float, bool, null,
    /// else text; quoted scalars are text), lists as arrays, mappings as objects.
    func json(_ node: Node, field: String) throws -> JSONValue {
        switch node {
        case .scalar(let scalar):
            switch Tag.Name(rawValue: node.tag.rawValue) {
            case .int: if let value = node.int { return .int(value) }
            case .float: if let value = node.float, value.isFinite { return .double(value) }
            case .bool: if let value = node.bool { return .bool(value) }
            case .null: return .null
            default: break
            }
            return .string(scalar.string)
        case .sequence(let items):
            return .array(try items.map { try json($0, field: field) })
        case .mapping:
            return .object(try mapping(node, field: field).mapValues { try json($0, field: field) })
        case .alias:
            throw EnvironmentError.manifest(location(node), field: field, problem: "YAML aliases are not supported here", fix: "Write the value out.")
        }
    }
}
