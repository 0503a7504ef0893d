import ArgumentParser
import Foundation
import SearchIndex

/// `turnrl index build`: makes an index file from the knowledge preset, a JSONL file or a folder.
struct IndexBuildCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build",
        abstract: "Build a search index from --preset knowledge, --jsonl PATH or --dir PATH.",
        discussion: """
            --jsonl reads one {"id","title","text"} object per line; --dir reads every .txt/.md \
            file below the folder (title: the first # heading, else the file name). Documents are \
            split into passages of --passage-words words overlapping by --passage-overlap words; \
            Factbook country sections stay one passage each.
            """)

    enum Preset: String, ExpressibleByArgument, CaseIterable { case knowledge }

    @Option(help: "A bundled corpus: knowledge (Factbook + Wikipedia summaries, installed by .ci/setup).")
    var preset: Preset?

    @Option(help: "A JSON Lines file of {\"id\", \"title\", \"text\"} objects.")
    var jsonl: String?

    @Option(help: "A folder of .txt / .md files.")
    var dir: String?

    @Option(help: "Where to write the index (default for --preset knowledge: <data folder>/indexes/knowledge.sqlite).")
    var out: String?

    @Option(help: "Words per passage.")
    var passageWords = PassageConfig().words

    @Option(help: "Words shared by consecutive passages.")
    var passageOverlap = PassageConfig().overlapWords

    @Flag(help: "Print a JSON summary instead of text.")
    var json = false

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        let chosen = [preset != nil, jsonl != nil, dir != nil].filter { $0 }.count
        guard chosen == 1 else { throw ValidationError("Give exactly one of --preset knowledge, --jsonl PATH, --dir PATH.") }
        guard out != nil || preset != nil else { throw ValidationError("Give --out PATH for the index file.") }
    }

    func run() throws {
        let logger = global.logger("turnrl.index")
        let readers: [any CorpusReader]
        if preset == .knowledge {
            readers = try KnowledgeCorpus(corporaDirectory: DataDirectory.url().appendingPathComponent("corpora")).readers()
        } else if let jsonl {
            readers = [JSONLCorpus(url: URL(fileURLWithPath: jsonl))]
        } else {
            readers = [DirectoryCorpus(url: URL(fileURLWithPath: dir ?? "."))]
        }
        let output = URL(fileURLWithPath: out ?? IndexCommand.defaultIndexPath)
        logger.debug("building index", metadata: ["out": "\(output.path)"])
        let builder = try IndexBuilder(passageConfig: PassageConfig(words: passageWords, overlapWords: passageOverlap))
        let bar = ProgressBar(label: "indexing")
        let summary = try builder.build(from: readers, to: output) { event in
            switch event {
            case .reading(let source): bar.note("reading \(source)")
            case .indexing(let done, let total): bar.update(done: done, total: total)
            case .scoring: bar.note("scoring")
            case .optimizing: bar.note("optimizing")
            }
        }
        bar.finish()
        if json {
            try printJSON(BuildReport(path: output.path, build: summary))
        } else {
            print(String(format: "Indexed %d documents as %d passages into %@ (%.1f MB) in %.1f s (%.0f passages/s).",
                         summary.documents, summary.passages, output.path, Double(summary.bytes) / 1e6,
                         summary.seconds, summary.passagesPerSecond))
        }
    }
}

/// `index build --json`: where the index went and what the build made.
struct BuildReport: Encodable {
    var path: String
    var build: BuildSummary
}
