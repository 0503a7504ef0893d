import ArgumentParser
import Foundation
import SearchIndex

/// `turnrl index query`: the k best passages for a free-text query.
struct IndexQueryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "query",
        abstract: "Search an index; best first, score = BM25 (higher is better).",
        discussion: """
            Any text is a valid query: it is tokenized like the index and its distinct terms are \
            searched with OR (operators, quotes and brackets are ordinary characters). --json \
            prints {"results":[{"id","title","score","snippet"}],"tookMs"}.
            """)

    @Option(help: "The index file (default: <data folder>/indexes/knowledge.sqlite).")
    var index: String?

    @Option(help: "How many results.")
    var k = 10

    @Flag(help: "Print JSON.")
    var json = false

    @Argument(help: "The query text.")
    var query: [String]

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        guard k >= 1 else { throw ValidationError("--k must be at least 1.") }
    }

    func run() throws {
        let searchIndex = try SearchIndex(url: URL(fileURLWithPath: index ?? IndexCommand.defaultIndexPath))
        let text = query.joined(separator: " ")
        let clock = ContinuousClock()
        var results: [SearchResult] = []
        let took = try clock.measure { results = try searchIndex.search(text, k: k) }
        let tookMs = Double(took.components.attoseconds) / 1e15 + Double(took.components.seconds) * 1e3
        if json {
            try printJSON(QueryReport(results: results, tookMs: tookMs))
            return
        }
        if results.isEmpty { print("No results.") }
        for (rank, result) in results.enumerated() {
            print(String(format: "%2d. %@  [%@]  score %.3f", rank + 1, result.title, result.id, result.score))
            print("    \(result.snippet)")
        }
        print(String(format: "%d results in %.2f ms", results.count, tookMs))
    }

    struct QueryReport: Encodable {
        var results: [SearchResult]
        var tookMs: Double
    }
}
