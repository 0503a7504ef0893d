import ArgumentParser
import Foundation
import SearchIndex

/// `turnrl index info`: counts, size, settings, sources and their licences.
struct IndexInfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Describe an index: documents, passages, size, sources and licences.")

    @Option(help: "The index file (default: <data folder>/indexes/knowledge.sqlite).")
    var index: String?

    @Flag(help: "Print JSON.")
    var json = false

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let info = try SearchIndex(url: URL(fileURLWithPath: index ?? IndexCommand.defaultIndexPath)).info()
        if json {
            try printJSON(info)
            return
        }
        print("Index      \(info.path)")
        print("Documents  \(info.documents)")
        print("Passages   \(info.passages)")
        print(String(format: "Size       %.1f MB", Double(info.bytes) / 1e6))
        print("Tokenizer  \(info.tokenizer); passages \(info.passageConfig); built \(info.builtAt)")
        print("Sources:")
        for source in info.sources {
            let version = source.version.isEmpty ? "" : " \(source.version)"
            print("  \(source.name)\(version): \(source.documents) documents, \(source.passages) passages")
            print("    licence: \(source.licence)")
            print("    credit:  \(source.attribution)")
        }
    }
}
