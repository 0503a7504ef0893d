import Foundation

/// Where in a file a problem sits (1-based line and column; 0 when not known).
public struct SourceLocation: Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int

    public init(file: String, line: Int = 0, column: Int = 0) {
        self.file = file
        self.line = line
        self.column = column
    }

    public var description: String {
        line > 0 ? (column > 0 ? "\(file):\(line):\(column)" : "\(file):\(line)") : file
    }
}

/// Everything that can go wrong when loading, registering or running an environment. Each case
/// says what was wrong, where (file:line, field, tool name) and what to do.
public enum EnvironmentError: Error, CustomStringConvertible, Sendable, Equatable {
    /// A manifest (env.yaml) problem: a missing field, a wrong type, an unknown tool or value.
    case manifest(SourceLocation, field: String, problem: String, fix: String)
    /// A file the manifest names (or the folder needs) does not exist.
    case missingFile(path: String, referencedBy: SourceLocation?, field: String?)
    /// A task file line that is not a valid task record.
    case taskFile(SourceLocation, problem: String)
    /// A Python file of the environment failed to import or misbehaved when checked.
    case python(SourceLocation, problem: String)
    /// Two things share a name that must be unique (environments, tasks, tools).
    case duplicate(what: String, name: String, first: String, second: String)
    /// No environment of that name in the registry.
    case unknownEnvironment(name: String, known: [String])
    /// The registry file could not be read or written.
    case registry(path: String, problem: String)
    /// `step` was called before `reset`, or after the episode ended.
    case episodeNotStarted(environment: String)
    /// A task id passed in `ResetOptions` does not exist in the split.
    case unknownTask(id: String, split: String, environment: String)
    /// A Swift-native or scripted piece (expert, generator) is not available in this environment.
    case unavailable(what: String, environment: String, fix: String)
    /// The sandbox or search index could not be started (infrastructure, not the manifest).
    case infrastructure(String)

    public var description: String {
        switch self {
        case .manifest(let location, let field, let problem, let fix):
            return "\(location): field '\(field)': \(problem). \(fix)"
        case .missingFile(let path, let location, let field):
            if let location, let field {
                return "\(location): field '\(field)' names \(path), which does not exist. Create the file or fix the path (relative to the environment folder)."
            }
            return "\(path) does not exist. Create it (see the environment folder contract in README \"Environments\")."
        case .taskFile(let location, let problem):
            return "\(location): \(problem). Each line must be one JSON object like {\"id\": \"train-1\", \"kind\": \"easy\", \"prompt\": \"...\", \"answer\": ...}."
        case .python(let location, let problem):
            return "\(location): \(problem)"
        case .duplicate(let what, let name, let first, let second):
            return "duplicate \(what) '\(name)': defined in \(first) and again in \(second). Names must be unique; rename one."
        case .unknownEnvironment(let name, let known):
            return "no environment named '\(name)'. Known: \(known.isEmpty ? "none" : known.joined(separator: ", ")). Register a folder with `turnrl env register DIR`, or pass the folder path itself."
        case .registry(let path, let problem):
            return "registry \(path): \(problem)"
        case .episodeNotStarted(let environment):
            return "\(environment): step() called before reset() or after the episode ended; call reset(seed:) first"
        case .unknownTask(let id, let split, let environment):
            return "\(environment): no task with id '\(id)' in the \(split) split"
        case .unavailable(let what, let environment, let fix):
            return "\(environment): \(what) is not available. \(fix)"
        case .infrastructure(let detail):
            return "infrastructure: \(detail)"
        }
    }
}
