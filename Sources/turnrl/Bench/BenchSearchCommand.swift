import ArgumentParser
import Foundation
import SearchIndex

/// `turnrl bench search`: build rate and query latency of the knowledge index, against bm25s
/// and rank-bm25 run on the same passages and queries in the same run.
struct BenchSearchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "Benchmark the search index against bm25s and rank-bm25 (same passages, same queries).",
        discussion: """
            Builds the knowledge index into a temporary folder (build rate), runs a seeded mix of \
            realistic queries one at a time (warm), measures how document-frequency pruning \
            trades speed for ranking, then runs Benchmarks/search_peer.py on the same index and \
            queries. Peers need bm25s and rank-bm25: `bash -c 'source .ci/lib.sh; \
            install_search_bench_peers'` installs them into <data folder>/bench-venv.
            Targets: p50 ≤ 1 ms, p99 ≤ 10 ms, ≥ 2× bm25s's single-query speed.
            """)

    @Option(help: "Queries in the mix.")
    var queries = 1_000

    @Option(help: "Seed of the query mix.")
    var seed: UInt64 = 7

    @Option(help: "Python with bm25s and rank-bm25 (default: $TURNRL_BENCH_PYTHON, else <data folder>/bench-venv/bin/python3).")
    var python: String?

    @Option(help: "The peer script.")
    var peerScript = "Benchmarks/search_peer.py"

    @Flag(help: "Print JSON.")
    var json = false

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let logger = global.logger("turnrl.bench.search")
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("turnrl-bench-search-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let indexURL = folder.appendingPathComponent("knowledge.sqlite")

        let readers = try KnowledgeCorpus(corporaDirectory: DataDirectory.url().appendingPathComponent("corpora")).readers()
        let bar = ProgressBar(label: "indexing")
        let build = try IndexBuilder().build(from: readers, to: indexURL) { event in
            if case .indexing(let done, let total) = event { bar.update(done: done, total: total) }
        }
        bar.finish()

        let index = try SearchIndex(url: indexURL)
        var rng = SplitMix64(seed: seed)
        let mix = try SearchQueryMix.make(count: queries, index: index, using: &rng)
        logger.debug("query mix", metadata: ["queries": "\(mix.count)"])

        // Pruning study: the default (0.5, no ranking change) against none and harder cut-offs.
        var pruning: [PruningRow] = []
        var reference: [[String]] = []
        for ratio in [1.0, 0.5, 0.25, 0.1] {
            let variant = try SearchIndex(url: indexURL, config: SearchConfig(maxDocumentFrequencyRatio: ratio))
            let (timing, tops) = try Self.time(mix, on: variant)
            if ratio == 1.0 { reference = tops }
            var overlapSum = 0.0
            for (top, full) in zip(tops, reference) {
                overlapSum += full.isEmpty ? 1 : Double(Set(top).intersection(full).count) / Double(full.count)
            }
            let overlap = overlapSum / Double(max(1, mix.count))
            pruning.append(PruningRow(maxDocumentFrequencyRatio: ratio, timing: timing, top10OverlapWithUnpruned: overlap))
        }
        let ours = try Self.time(mix, on: index).timing
        let rankingOnly = try Self.time(mix, on: index, snippets: false).timing
        // SQLite's own `ORDER BY bm25()` over the same plans: what the impact lists replace.
        let clock = ContinuousClock()
        var sqliteSamples: [Double] = []
        for query in mix {
            let elapsed = try clock.measure { _ = try index.rankedByFTS5(query, k: 10) }
            sqliteSamples.append(Double(elapsed.components.seconds) * 1e3 + Double(elapsed.components.attoseconds) / 1e15)
        }

        let peers = runPeers(indexURL: indexURL, queries: mix, folder: folder)
        var report = SearchBenchReport(
            passages: index.passageCount, documents: build.documents,
            build: build,
            turnrl: ours, turnrlWithoutSnippets: rankingOnly, sqliteBM25OrderBy: Timing(samples: sqliteSamples), pruning: pruning, peers: peers.result, peerError: peers.error)
        if let result = peers.result {
            report.speedupVsBm25sP50 = result.bm25s.p50Ms / ours.p50Ms
            report.speedupWithoutSnippetsVsBm25sP50 = result.bm25s.p50Ms / rankingOnly.p50Ms
            report.speedupVsBm25sMean = result.bm25s.meanMs / ours.meanMs
            report.speedupVsRankBm25P50 = result.rank_bm25.p50Ms / ours.p50Ms
        }
        if json {
            try printJSON(report)
        } else {
            report.printTable()
        }
    }

    /// Runs every query once after a warm-up pass; returns latency percentiles and the top-10 ids.
    static func time(_ mix: [String], on index: SearchIndex, snippets: Bool = true) throws -> (timing: Timing, tops: [[String]]) {
        for query in mix.prefix(100) { _ = try index.search(query, k: 10, snippets: snippets) }
        let clock = ContinuousClock()
        var samples: [Double] = []
        var tops: [[String]] = []
        for query in mix {
            var results: [SearchResult] = []
            let elapsed = try clock.measure { results = try index.search(query, k: 10, snippets: snippets) }
            samples.append(Double(elapsed.components.seconds) * 1e3 + Double(elapsed.components.attoseconds) / 1e15)
            tops.append(results.map(\.id))
        }
        return (Timing(samples: samples), tops)
    }

    private func runPeers(indexURL: URL, queries: [String], folder: URL) -> (result: PeerResult?, error: String?) {
        let environment = ProcessInfo.processInfo.environment
        let interpreter = python ?? environment["TURNRL_BENCH_PYTHON"]
            ?? DataDirectory.url().appendingPathComponent("bench-venv/bin/python3").path
        guard FileManager.default.isExecutableFile(atPath: interpreter) else {
            return (nil, "no Python with bm25s at \(interpreter); run `bash -c 'source .ci/lib.sh; install_search_bench_peers'` or pass --python")
        }
        guard FileManager.default.fileExists(atPath: peerScript) else {
            return (nil, "peer script \(peerScript) not found; run from the repository root or pass --peer-script")
        }
        do {
            let queryFile = folder.appendingPathComponent("queries.json")
            try JSONEncoder().encode(["queries": queries]).write(to: queryFile)
            let output = try Shell.run(interpreter, [peerScript, "bench", "--index", indexURL.path, "--queries", queryFile.path])
            guard output.status == 0 else { return (nil, "peer script failed: \(output.stderr.trimmed.suffix(500))") }
            return (try JSONDecoder().decode(PeerResult.self, from: Data(output.stdout.utf8)), nil)
        } catch {
            return (nil, "peer script failed: \(error)")
        }
    }
}

/// p50 / p99 / mean of per-query latencies in milliseconds.
struct Timing: Codable {
    var queries: Int
    var p50Ms: Double
    var p99Ms: Double
    var meanMs: Double

    init(samples: [Double]) {
        let sorted = samples.sorted()
        queries = samples.count
        p50Ms = LatencyStats.percentile(sorted, 0.50)
        p99Ms = LatencyStats.percentile(sorted, 0.99)
        meanMs = samples.isEmpty ? 0 : samples.reduce(0, +) / Double(samples.count)
    }
}

struct PruningRow: Codable {
    var maxDocumentFrequencyRatio: Double
    var timing: Timing
    var top10OverlapWithUnpruned: Double
}

/// What Benchmarks/search_peer.py bench prints.
struct PeerResult: Codable {
    struct Peer: Codable {
        var queries: Int
        var p50Ms: Double
        var p99Ms: Double
        var meanMs: Double
        var version: String
        var buildSeconds: Double
    }
    var passages: Int
    var bm25s: Peer
    var rank_bm25: Peer
}

struct SearchBenchReport: Codable {
    var passages: Int
    var documents: Int
    var build: BuildSummary
    /// `search(query, k: 10)`: ids, titles, scores and snippets.
    var turnrl: Timing
    /// `search(query, k: 10, snippets: false)`: ids, titles and scores, what bm25s returns
    /// (ids and scores) plus titles.
    var turnrlWithoutSnippets: Timing
    /// The same queries ranked by `ORDER BY bm25()` inside SQLite (no snippets).
    var sqliteBM25OrderBy: Timing
    var pruning: [PruningRow]
    var peers: PeerResult?
    var peerError: String?
    /// bm25s's latency over TurnRL's: above 1 means TurnRL is faster.
    var speedupVsBm25sP50: Double? = nil
    var speedupVsBm25sMean: Double? = nil
    var speedupWithoutSnippetsVsBm25sP50: Double? = nil
    var speedupVsRankBm25P50: Double? = nil

    func printTable() {
        print(String(format: "Knowledge index: %d documents, %d passages, built in %.2f s (%.0f passages/s, %.1f MB)",
                     documents, passages, build.seconds, build.passagesPerSecond, Double(build.bytes) / 1e6))
        print("engine                 queries   p50 ms   p99 ms  mean ms")
        func row(_ name: String, _ queries: Int, _ p50: Double, _ p99: Double, _ mean: Double) {
            print(name.padding(toLength: 20, withPad: " ", startingAt: 0)
                  + String(format: "  %7d  %7.3f  %7.3f  %7.3f", queries, p50, p99, mean))
        }
        row("turnrl", turnrl.queries, turnrl.p50Ms, turnrl.p99Ms, turnrl.meanMs)
        row("turnrl, no snippets", turnrlWithoutSnippets.queries, turnrlWithoutSnippets.p50Ms, turnrlWithoutSnippets.p99Ms, turnrlWithoutSnippets.meanMs)
        row("SQLite bm25() order", sqliteBM25OrderBy.queries, sqliteBM25OrderBy.p50Ms, sqliteBM25OrderBy.p99Ms, sqliteBM25OrderBy.meanMs)
        if let peers {
            row("bm25s \(peers.bm25s.version)", peers.bm25s.queries, peers.bm25s.p50Ms, peers.bm25s.p99Ms, peers.bm25s.meanMs)
            row("rank-bm25 \(peers.rank_bm25.version)", peers.rank_bm25.queries, peers.rank_bm25.p50Ms, peers.rank_bm25.p99Ms, peers.rank_bm25.meanMs)
        } else if let peerError {
            print("peers: not measured (\(peerError))")
        }
        if let speedup = speedupVsBm25sP50, let bare = speedupWithoutSnippetsVsBm25sP50 {
            print(String(format: "speed-up over bm25s (p50): %.2fx with snippets, %.2fx without", speedup, bare))
        }
        print("pruning (max document frequency ratio): p50 ms, p99 ms, top-10 overlap with unpruned")
        for row in pruning {
            print(String(format: "  %.2f  %7.3f  %7.3f  %.3f", row.maxDocumentFrequencyRatio, row.timing.p50Ms, row.timing.p99Ms, row.top10OverlapWithUnpruned))
        }
    }
}
