import ArgumentParser
import EnvironmentKit
import Foundation

/// `turnrl env`: list, show, check and register tool environments.
struct EnvCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "env",
        abstract: "List, show, check and register tool environments.",
        discussion: """
            Built-in environments are the folders of the repository's Environments/ ($TURNRL_ENVIRONMENTS \
            if set, else found from the turnrl binary's checkout). Registered folders are kept in \
            <data folder>/environments.json. Wherever a NAME is expected, a folder path works too.
            """,
        subcommands: [EnvListCommand.self, EnvShowCommand.self, EnvCheckCommand.self, EnvRegisterCommand.self, EnvUnregisterCommand.self])
}

/// How commands that run environments start the sandbox.
struct EnvironmentOptions: ParsableArguments {
    @Option(help: "Sandbox workers per environment (default: one per core).")
    var workers: Int = ProcessInfo.processInfo.activeProcessorCount

    @OptionGroup var sandbox: SandboxOptions

    /// The sandbox configuration (python, launcher, runner) and the knowledge index in the data folder.
    func runtime() throws -> EnvironmentRuntime {
        let configuration = try sandbox.configuration(workers: max(1, workers))
        return EnvironmentRuntime(sandbox: configuration, searchIndexPath: EnvironmentRuntime.knowledgeIndexPath())
    }

    /// Resolves NAME or a folder path and loads it (sandbox started, Python imported, tasks read).
    func load(_ nameOrPath: String) async throws -> any EnvironmentProvider {
        let registry = EnvironmentRegistry.standard()
        let entry = try registry.resolve(nameOrPath)
        return try await registry.load(entry, runtime: try runtime())
    }
}

/// Text cut to `limit` characters for terminal display.
func displayCut(_ text: String, _ limit: Int) -> String {
    text.count <= limit ? text : String(text.prefix(limit)) + "…"
}

/// Left-aligned text table.
func printTable(_ header: [String], _ rows: [[String]]) {
    let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
    for row in [header] + rows {
        print(row.enumerated().map { $0.element.padding(toLength: widths[$0.offset], withPad: " ", startingAt: 0) }.joined(separator: "  "))
    }
}
