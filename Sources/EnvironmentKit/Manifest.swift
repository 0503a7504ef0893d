import Foundation
import Yams

/// Where an environment's tasks come from.
public enum TaskSource: Sendable, Equatable {
    /// `train.jsonl` / `test.jsonl`, paths relative to the folder.
    case files(train: String, test: String)
    /// `generate.py`'s `generate(split, seed, count)`, run in the sandbox.
    case generator(file: String, trainCount: Int, testCount: Int, seed: Int)
    /// Tasks written in env.yaml itself (`tasks: {train: [...], test: [...]}`).
    case inline(TaskSet)
}

/// How answers are scored.
public enum VerifierSource: Sendable, Equatable {
    case builtin(BuiltinVerifier)
    /// A `verify.py` in the folder.
    case python(file: String)
}

/// Reward settings of a manifest.
public struct RewardSettings: Sendable, Equatable {
    /// Added on a turn whose utterance could not be parsed (default 0).
    public var formatPenalty: Double
    /// Added on every turn that does not end the episode with an answer (guess-country: −1,
    /// including its wrong guesses, which do not end the episode there).
    public var perTurn: Double

    public init(formatPenalty: Double = 0, perTurn: Double = 0) {
        self.formatPenalty = formatPenalty
        self.perTurn = perTurn
    }
}

/// A parsed `env.yaml` (see README "Environments" for every field).
public struct EnvironmentManifest: Sendable, Equatable {
    public static let fileName = "env.yaml"
    /// The built-in tools a manifest may list.
    public static let builtinTools = ["python", "search"]

    public var folder: URL
    public var name: String
    public var version: String
    public var description: String
    public var actionFormat: ActionFormatKind
    /// Tool names listed under `tools:` (built-ins, or functions of tools.py).
    public var tools: [String]
    public var systemPrompt: String
    public var tasks: TaskSource
    public var verifier: VerifierSource
    /// `expert.py`, relative to the folder.
    public var expert: String?
    public var maxTurns: Int
    /// `wrong_answer: end | continue` (default end).
    public var wrongAnswer: WrongAnswer
    public var reward: RewardSettings
    public var context: ContextSettings
    /// Each tool result longer than this is cut, with a marker saying how much was cut.
    public var observationCapChars: Int
    /// Line of each field in env.yaml, for later errors (e.g. a task file that fails to parse).
    public var fieldLines: [String: Int]

    /// env.yaml's path.
    public var manifestPath: String { folder.appendingPathComponent(Self.fileName).path }

    /// The location of `field` in env.yaml.
    public func location(of field: String) -> SourceLocation {
        SourceLocation(file: manifestPath, line: fieldLines[field] ?? 0)
    }
}

/// Reads env.yaml with Yams, keeping line numbers so every error names file, line and field.
public enum ManifestLoader {
    static let knownKeys: Set<String> = [
        "name", "version", "description", "action_format", "tools", "system_prompt", "tasks", "verifier",
        "expert", "max_turns", "reward", "context", "observation_cap_chars", "wrong_answer",
    ]

    /// Parses and checks `<folder>/env.yaml` and that the files it names exist. Python files are
    /// imported later, by `EnvironmentPackage.load`.
    public static func load(folder: URL) throws -> EnvironmentManifest {
        let folder = folder.standardizedFileURL
        let path = folder.appendingPathComponent(EnvironmentManifest.fileName)
        guard FileManager.default.fileExists(atPath: path.path) else {
            throw EnvironmentError.missingFile(path: path.path, referencedBy: nil, field: nil)
        }
        let text: String
        do { text = try String(contentsOf: path, encoding: .utf8) } catch {
            throw EnvironmentError.manifest(SourceLocation(file: path.path), field: "(file)", problem: "cannot be read as UTF-8 text: \(error.localizedDescription)", fix: "Save env.yaml as UTF-8.")
        }
        return try parse(text, folder: folder)
    }

    /// Parses manifest text as if it were `<folder>/env.yaml`.
    public static func parse(_ text: String, folder: URL) throws -> EnvironmentManifest {
        let file = folder.appendingPathComponent(EnvironmentManifest.fileName).path
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: text) else {
                throw EnvironmentError.manifest(SourceLocation(file: file, line: 1), field: "(document)", problem: "the file is empty", fix: "Write at least name, version, description, system_prompt, tasks and verifier.")
            }
            root = node
        } catch YamlError.duplicatedKeysInMapping(let duplicates, _) {
            // Yams reports no position for this one: find the key's first two lines ourselves.
            let key = duplicates.sorted().first ?? "?"
            var lines: [Int] = []
            for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
            where line.trimmingCharacters(in: .whitespaces).hasPrefix("\(key):") {
                lines.append(number + 1)
            }
            throw EnvironmentError.duplicate(
                what: "field", name: key, first: "\(file):\(lines.first ?? 0)", second: "\(file):\(lines.dropFirst().first ?? 0)")
        } catch let error as YamlError {
            throw EnvironmentError.manifest(yamlLocation(error, file: file), field: "(syntax)", problem: "not valid YAML: \(yamlProblem(error))", fix: "Fix the YAML syntax at that line.")
        }
        let reader = NodeReader(file: file)
        let top = try reader.mapping(root, field: "(document)")
        for (key, node) in top where !knownKeys.contains(key) {
            throw EnvironmentError.manifest(reader.location(node), field: key, problem: "unknown field", fix: "Known fields: \(knownKeys.sorted().joined(separator: ", ")).")
        }
        var lines: [String: Int] = [:]
        for (key, node) in top { lines[key] = reader.location(node).line }

        let name = try reader.string(top, "name", root: root)
        guard name.range(of: "^[a-z0-9][a-z0-9-]*$", options: .regularExpression) != nil else {
            throw EnvironmentError.manifest(reader.location(top["name"]!), field: "name", problem: "'\(name)' is not a valid name", fix: "Use lower-case letters, digits and '-' (e.g. arith-python).")
        }
        let version = try reader.string(top, "version", root: root)
        let description = try reader.string(top, "description", root: root)
        let systemPrompt = try reader.string(top, "system_prompt", root: root)

        var format = ActionFormatKind.tags
        if let node = top["action_format"] {
            let value = try reader.scalarString(node, field: "action_format")
            guard let kind = ActionFormatKind(rawValue: value) else {
                throw EnvironmentError.manifest(reader.location(node), field: "action_format", problem: "unknown action format '\(value)'", fix: "Use one of: \(ActionFormatKind.allCases.map(\.rawValue).joined(separator: ", ")).")
            }
            format = kind
        }

        var tools: [String] = []
        if let node = top["tools"] {
            guard case .sequence(let items) = node else {
                throw EnvironmentError.manifest(reader.location(node), field: "tools", problem: "must be a list like [python, search]", fix: "Write tools: [python] (or [] for none).")
            }
            let hasToolsFile = FileManager.default.fileExists(atPath: folder.appendingPathComponent("tools.py").path)
            for item in items {
                let tool = try reader.scalarString(item, field: "tools")
                if tools.contains(tool) {
                    throw EnvironmentError.duplicate(what: "tool", name: tool, first: "\(file) (tools)", second: reader.location(item).description)
                }
                if !EnvironmentManifest.builtinTools.contains(tool) && !hasToolsFile {
                    throw EnvironmentError.manifest(reader.location(item), field: "tools", problem: "unknown tool '\(tool)'", fix: "Built-in tools are \(EnvironmentManifest.builtinTools.joined(separator: ", ")); Python tools come from functions in tools.py (listing them is optional).")
                }
                tools.append(tool)
            }
        }

        let tasks = try taskSource(reader, top, root: root, folder: folder)
        let verifier = try verifierSource(reader, top, root: root, folder: folder)
        var expert: String?
        if let node = top["expert"] {
            let value = try reader.scalarString(node, field: "expert")
            try requireFile(value, folder: folder, location: reader.location(node), field: "expert")
            expert = value
        }
        let maxTurns = try reader.int(top, "max_turns", default: 6, minimum: 1)
        let cap = try reader.int(top, "observation_cap_chars", default: 2000, minimum: 100)

        var wrongAnswer = WrongAnswer.end
        if let node = top["wrong_answer"] {
            let value = try reader.scalarString(node, field: "wrong_answer")
            guard let rule = WrongAnswer(rawValue: value) else {
                throw EnvironmentError.manifest(reader.location(node), field: "wrong_answer", problem: "unknown value '\(value)'", fix: "Use end (an answer ends the episode) or continue (only a right answer does).")
            }
            wrongAnswer = rule
        }
        var reward = RewardSettings()
        if let node = top["reward"] {
            let map = try reader.mapping(node, field: "reward")
            try reader.rejectUnknown(map, known: ["format_penalty", "per_turn"], parent: "reward")
            reward.formatPenalty = try reader.double(map, "format_penalty", parent: "reward", default: 0)
            reward.perTurn = try reader.double(map, "per_turn", parent: "reward", default: 0)
        }
        var context = ContextSettings()
        if let node = top["context"] {
            let map = try reader.mapping(node, field: "context")
            try reader.rejectUnknown(map, known: ["budget_tokens", "compaction", "summary_threshold", "keep_last_turns"], parent: "context")
            context.budgetTokens = try reader.int(map, "budget_tokens", parent: "context", default: context.budgetTokens, minimum: 16)
            if let mode = map["compaction"] {
                let value = try reader.scalarString(mode, field: "context.compaction")
                guard let compaction = ContextSettings.Compaction(rawValue: value) else {
                    throw EnvironmentError.manifest(reader.location(mode), field: "context.compaction", problem: "unknown compaction '\(value)'", fix: "Use none, truncate or summary.")
                }
                context.compaction = compaction
            }
            context.summaryThreshold = try reader.double(map, "summary_threshold", parent: "context", default: context.summaryThreshold)
            guard context.summaryThreshold > 0, context.summaryThreshold <= 1 else {
                throw EnvironmentError.manifest(reader.location(map["summary_threshold"]!), field: "context.summary_threshold", problem: "must be in (0, 1]", fix: "Use a fraction such as 0.75.")
            }
            context.keepLastTurns = try reader.int(map, "keep_last_turns", parent: "context", default: 0, minimum: 0)
        }
        return EnvironmentManifest(
            folder: folder, name: name, version: version, description: description, actionFormat: format, tools: tools,
            systemPrompt: systemPrompt, tasks: tasks, verifier: verifier, expert: expert, maxTurns: maxTurns, wrongAnswer: wrongAnswer, reward: reward,
            context: context, observationCapChars: cap, fieldLines: lines)
    }

    static func taskSource(_ reader: NodeReader, _ top: [String: Node], root: Node, folder: URL) throws -> TaskSource {
        guard let node = top["tasks"] else {
            throw EnvironmentError.manifest(reader.location(root), field: "tasks", problem: "missing required field", fix: "Add tasks: {train: train.jsonl, test: test.jsonl}, tasks: {generator: generate.py, train_count: N, test_count: M}, or lists of tasks under train: and test:.")
        }
        let map = try reader.mapping(node, field: "tasks")
        if let generator = map["generator"] {
            try reader.rejectUnknown(map, known: ["generator", "train_count", "test_count", "seed"], parent: "tasks")
            let file = try reader.scalarString(generator, field: "tasks.generator")
            try requireFile(file, folder: folder, location: reader.location(generator), field: "tasks.generator")
            let train = try reader.int(map, "train_count", parent: "tasks", default: nil, minimum: 1, at: node)
            let test = try reader.int(map, "test_count", parent: "tasks", default: nil, minimum: 1, at: node)
            let seed = try reader.int(map, "seed", parent: "tasks", default: 0, minimum: 0)
            return .generator(file: file, trainCount: train, testCount: test, seed: seed)
        }
        try reader.rejectUnknown(map, known: ["train", "test"], parent: "tasks")
        // Each split is a file name (a scalar) or a list of tasks; both splits take the same form.
        var listed: [String: [Node]] = [:]
        for split in ["train", "test"] {
            guard let value = map[split] else {
                throw EnvironmentError.manifest(reader.location(node), field: "tasks.\(split)", problem: "missing required field", fix: "Name the \(split) split's JSONL file, e.g. \(split): \(split).jsonl, or list its tasks.")
            }
            switch value {
            case .scalar: break
            case .sequence(let items): listed[split] = Array(items)
            default:
                throw EnvironmentError.manifest(reader.location(value), field: "tasks.\(split)", problem: "must be a file name or a list of tasks, found \(reader.kind(value))", fix: "Write \(split): \(split).jsonl, or a list of tasks (mappings with id, kind, prompt and answer).")
            }
        }
        if let train = listed["train"], let test = listed["test"] {
            return .inline(TaskSet(train: try inlineTasks(reader, train, split: "train"), test: try inlineTasks(reader, test, split: "test")))
        }
        if let split = listed.keys.first {
            throw EnvironmentError.manifest(reader.location(map[split]!), field: "tasks.\(split)", problem: "lists tasks while the other split names a file", fix: "Write both splits inline, or both as JSONL files.")
        }
        var paths: [String] = []
        for split in ["train", "test"] {
            let value = map[split]!
            let path = try reader.scalarString(value, field: "tasks.\(split)")
            try requireFile(path, folder: folder, location: reader.location(value), field: "tasks.\(split)")
            paths.append(path)
        }
        return .files(train: paths[0], test: paths[1])
    }

    static func verifierSource(_ reader: NodeReader, _ top: [String: Node], root: Node, folder: URL) throws -> VerifierSource {
        guard let node = top["verifier"] else {
            throw EnvironmentError.manifest(reader.location(root), field: "verifier", problem: "missing required field", fix: "Add verifier: verify.py, or a built-in: \(BuiltinVerifier.allCases.map(\.rawValue).joined(separator: ", ")).")
        }
        let value = try reader.scalarString(node, field: "verifier")
        if let builtin = BuiltinVerifier(rawValue: value) { return .builtin(builtin) }
        guard value.hasSuffix(".py") else {
            throw EnvironmentError.manifest(reader.location(node), field: "verifier", problem: "unknown verifier '\(value)'", fix: "Use a .py file of the folder or a built-in: \(BuiltinVerifier.allCases.map(\.rawValue).joined(separator: ", ")).")
        }
        try requireFile(value, folder: folder, location: reader.location(node), field: "verifier")
        return .python(file: value)
    }

    static func requireFile(_ relative: String, folder: URL, location: SourceLocation, field: String) throws {
        let path = folder.appendingPathComponent(relative).path
        guard FileManager.default.fileExists(atPath: path) else {
            throw EnvironmentError.missingFile(path: path, referencedBy: location, field: field)
        }
    }

    static func yamlLocation(_ error: YamlError, file: String) -> SourceLocation {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _):
            return SourceLocation(file: file, line: mark.line, column: mark.column)
        default:
            return SourceLocation(file: file)
        }
    }

    static func yamlProblem(_ error: YamlError) -> String {
        switch error {
        case .scanner(_, let problem, _, _), .parser(_, let problem, _, _), .composer(_, let problem, _, _):
            return problem
        default:
            return "\(error)"
        }
    }
}

/// Typed reads of YAML nodes that throw `EnvironmentError.manifest` with the node's line.
struct NodeReader {
    let file: String

    func location(_ node: Node) -> SourceLocation {
        guard let mark = node.mark else { return SourceLocation(file: file) }
        return SourceLocation(file: file, line: mark.line, column: mark.column)
    }

    /// A mapping's entries by key (duplicate keys are an error).
    func mapping(_ node: Node, field: String) throws -> [String: Node] {
        guard case .mapping(let mapping) = node else {
            throw EnvironmentError.manifest(location(node), field: field, problem: "must be a mapping of key: value lines, found \(kind(node))", fix: "See README \"Environments\" for the manifest's fields.")
        }
        var out: [String: Node] = [:]
        for (key, value) in mapping {
            let name = try scalarString(key, field: field)
            if out[name] != nil {
                throw EnvironmentError.duplicate(what: "field", name: name, first: "\(file) (\(field))", second: location(key).description)
            }
            out[name] = value
        }
        return out
    }

    func rejectUnknown(_ map: [String: Node], known: Set<String>, parent: String) throws {
        for (key, node) in map where !known.contains(key) {
            throw EnvironmentError.manifest(location(node), field: "\(parent).\(key)", problem: "unknown field", fix: "Known fields of \(parent): \(known.sorted().joined(separator: ", ")).")
        }
    }

    func kind(_ node: Node) -> String {
        switch node {
        case .scalar: return "a scalar"
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        default: return "an alias"
        }
    }

    func scalarString(_ node: Node, field: String) throws -> String {
        guard case .scalar(let scalar) = node else {
            throw EnvironmentError.manifest(location(node), field: field, problem: "must be text, found \(kind(node))", fix: "Write a plain value.")
        }
        return scalar.string
    }

    /// A required text field.
    func string(_ map: [String: Node], _ key: String, root: Node) throws -> String {
        guard let node = map[key] else {
            throw EnvironmentError.manifest(location(root), field: key, problem: "missing required field", fix: "Add '\(key): …' to env.yaml.")
        }
        let value = try scalarString(node, field: key)
        guard !value.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw EnvironmentError.manifest(location(node), field: key, problem: "must not be empty", fix: "Give it a value.")
        }
        return value
    }

    func int(_ map: [String: Node], _ key: String, parent: String? = nil, default fallback: Int?, minimum: Int, at parentNode: Node? = nil) throws -> Int {
        let field = parent.map { "\($0).\(key)" } ?? key
        guard let node = map[key] else {
            if let fallback { return fallback }
            throw EnvironmentError.manifest(parentNode.map(location) ?? SourceLocation(file: file), field: field, problem: "missing required field", fix: "Add '\(key): <integer>'.")
        }
        guard case .scalar(let scalar) = node, let value = Int(scalar.string.trimmingCharacters(in: .whitespaces)) else {
            throw EnvironmentError.manifest(location(node), field: field, problem: "must be an integer, found \(describe(node))", fix: "Write a whole number such as \(max(minimum, 1)).")
        }
        guard value >= minimum else {
            throw EnvironmentError.manifest(location(node), field: field, problem: "must be at least \(minimum), found \(value)", fix: "Use a larger value.")
        }
        return value
    }

    func double(_ map: [String: Node], _ key: String, parent: String, default fallback: Double) throws -> Double {
        guard let node = map[key] else { return fallback }
        guard case .scalar(let scalar) = node, let value = Double(scalar.string.trimmingCharacters(in: .whitespaces)), value.isFinite else {
            throw EnvironmentError.manifest(location(node), field: "\(parent).\(key)", problem: "must be a number, found \(describe(node))", fix: "Write a number such as -0.1.")
        }
        return value
    }

    func describe(_ node: Node) -> String {
        if case .scalar(let scalar) = node { return "'\(scalar.string)'" }
        return kind(node)
    }
}
