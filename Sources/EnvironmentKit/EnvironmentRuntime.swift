import Foundation
import SearchIndex
import ToolSandbox

/// What environments need from the machine: how to start the sandbox and where the search
/// index is. The CLI builds one from the data folder; tests and trainers may build their own.
public struct EnvironmentRuntime: Sendable {
    /// The sandbox configuration environments start their pools from (python, launcher,
    /// runner, workers, limits); each environment sets its own tools file.
    public var sandbox: SandboxConfiguration
    /// The knowledge index the `search` tool reads (`<data folder>/indexes/knowledge.sqlite`).
    public var searchIndexPath: String

    public init(sandbox: SandboxConfiguration, searchIndexPath: String) {
        self.sandbox = sandbox
        self.searchIndexPath = searchIndexPath
    }

    /// TurnRL's data folder: `$TURNRL_HOME`, else `$XDG_DATA_HOME/turnrl`, else
    /// `~/.local/share/turnrl` (the same rule as the CLI and SearchIndex).
    public static func dataDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        KnowledgeCorpus.defaultCorporaDirectory(environment: environment).deletingLastPathComponent()
    }

    /// `<data folder>/indexes/knowledge.sqlite`: where setup builds the knowledge index the
    /// `search` tool reads (the one place that names this path).
    public static func knowledgeIndexPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        dataDirectory(environment: environment).appendingPathComponent("indexes/knowledge.sqlite").path
    }

    /// A runtime for `python` (the sandbox interpreter), with launcher and runner located as
    /// `SandboxLocator` does and the knowledge index in the data folder.
    public static func located(python: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> EnvironmentRuntime {
        let sandbox = try SandboxConfiguration.located(python: python, environment: environment)
        return EnvironmentRuntime(sandbox: sandbox, searchIndexPath: knowledgeIndexPath(environment: environment))
    }

    /// Opens the search tool over the knowledge index, or says how to build the index.
    func searchTool() throws -> SearchEnvironmentTool {
        guard FileManager.default.fileExists(atPath: searchIndexPath) else {
            throw EnvironmentError.infrastructure("the search tool needs the knowledge index at \(searchIndexPath), which does not exist; build it with `bash .ci/setup` or `turnrl index build --preset knowledge`")
        }
        do {
            let index = try SearchIndex(url: URL(fileURLWithPath: searchIndexPath))
            return SearchEnvironmentTool(search: SearchTool(index: index))
        } catch {
            throw EnvironmentError.infrastructure("cannot open the knowledge index at \(searchIndexPath): \(error)")
        }
    }
}
