import ArgumentParser
import Foundation
import SearchIndex
import Trajectories

/// `turnrl bench traj`: trajectory-store append rate, replay sampling latency and database size,
/// against Python's sqlite3 and NumPy on the same rows / sizes in the same run.
struct BenchTrajCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "traj",
        abstract: "Benchmark the trajectory store (append turns/s, DB size) and the replay buffer (sampling).",
        discussion: """
            Append: synthetic episodes of 4 turns whose contexts grow 184 → 328 tokens (mean 256; \
            each extends the previous context with 32 generated + 16 observation tokens, the \
            prefix-sharing shape of a real rollout), appended one transaction per episode with \
            durability `normal` (survives a process crash) and `full` (fsync per commit). Peer: \
            Python's sqlite3 inserting the same stored rows into the same schema with executemany, \
            one transaction per episode, same pragmas (it skips the store's encoding work). \
            Size: database bytes per 1,000 turns after a WAL checkpoint, next to what the contexts \
            would take stored whole. Sampling: batches drawn from a full --capacity buffer of \
            256-token transitions, uniform and recency; peer: NumPy drawing the same batch as a \
            list of references and as copied arrays. Targets: ≥ 5,000 turns/s; a 256-batch from \
            100k transitions in ≤ 5 ms.
            """)

    @Option(help: "Turns appended per durability setting.")
    var turns = 20_000

    @Option(help: "Replay buffer capacity (filled completely).")
    var capacity = 100_000

    @Option(help: "Transitions per sampled batch.")
    var batch = 256

    @Option(help: "Batches timed per sampling rule.")
    var samples = 500

    @Option(help: "Folder for the temporary databases (default: the system temporary folder).")
    var dir: String?

    @Option(help: "Python with sqlite3 and NumPy for the peers (default: python3 on PATH).")
    var python = "python3"

    @Flag(help: "Skip the Python peers.")
    var noPeer = false

    @Flag(help: "Print one JSON object instead of tables.")
    var json = false

    @OptionGroup var global: GlobalOptions

    static let turnsPerEpisode = 4
    static let shape = (prompt: 184, generated: 32, observation: 16)

    struct AppendRow: Codable {
        var durability: String
        var turns: Int
        var seconds: Double
        var turnsPerSecond: Double
        var peerTurnsPerSecond: Double?
        /// TurnRL turns/s over the peer's (> 1: TurnRL faster).
        var ratioToPeer: Double?
    }

    struct SampleRow: Codable {
        var sampling: String
        var latency: TrajBenchPeer.SampleTiming
    }

    struct Report: Codable {
        var directory: String
        var meanContextTokens: Double
        var append: [AppendRow]
        var databaseBytesPer1000Turns: Int
        /// Context token bytes the store keeps (prefix-shared) per 1,000 turns.
        var storedContextBytesPer1000Turns: Int
        /// What the contexts would take stored whole.
        var wholeContextBytesPer1000Turns: Int
        var loadTransitionsPerSecond: Double
        var capacity: Int
        var batch: Int
        var sampling: [SampleRow]
        var peerSQLite: String?
        var peerSampling: TrajBenchPeer.SampleResult?
        var peerNotes: [String]
        var appendTargetMet: Bool
        var samplingTargetMet: Bool
    }

    func run() throws {
        guard turns >= Self.turnsPerEpisode, capacity > 0, batch > 0, samples > 0 else {
            throw ValidationError("--turns (≥ 4), --capacity, --batch and --samples must be positive")
        }
        let logger = global.logger("turnrl.bench.traj")
        let base = URL(fileURLWithPath: dir ?? FileManager.default.temporaryDirectory.path)
        let folder = base.appendingPathComponent("turnrl-bench-traj-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }

        var rng = SplitMix64(seed: 20_261_121)
        let episodes = (0..<(turns / Self.turnsPerEpisode)).map { _ in
            SyntheticEpisodes.episode(
                turns: Self.turnsPerEpisode, promptTokens: Self.shape.prompt, generatedTokens: Self.shape.generated,
                observationTokens: Self.shape.observation, using: &rng)
        }
        let turnCount = episodes.count * Self.turnsPerEpisode
        let contextTokens = episodes.reduce(0) { $0 + $1.turns.reduce(0) { $0 + $1.contextTokens.count } }
        let storedContextTokens = episodes.reduce(0) { $0 + Self.unsharedContextTokens($1) }
        let python = Shell.which(self.python) ?? self.python
        var notes: [String] = []
        var rows: [AppendRow] = []
        var sizePer1000 = 0
        var loadRate = 0.0
        var peerVersion: String?
        for durability in [TrajectoryStore.Durability.normal, .full] {
            let name = durability == .normal ? "normal" : "full"
            let path = folder.appendingPathComponent("\(name).sqlite").path
            let store = try TrajectoryStore(path: path, durability: durability)
            let run = try store.beginRun(name: "bench", configJSON: "{}", seed: 0, codeVersion: TurnRLVersion.string)
            let bar = ProgressBar(label: "append (\(name))")
            let start = BenchTiming.now()
            for (index, episode) in episodes.enumerated() {
                try store.appendEpisode(episode, run: run.id)
                if index % 100 == 99 || index == episodes.count - 1 { bar.update(done: index + 1, total: episodes.count) }
            }
            let seconds = BenchTiming.now() - start
            bar.finish()
            var row = AppendRow(durability: name, turns: turnCount, seconds: seconds, turnsPerSecond: Double(turnCount) / seconds)
            if !noPeer {
                let peerPath = folder.appendingPathComponent("peer-\(name).sqlite").path
                switch TrajBenchPeer.run(python, ["sqlite", path, peerPath, name.uppercased()], as: TrajBenchPeer.SQLiteResult.self) {
                case .success(let peer):
                    row.peerTurnsPerSecond = peer.turnsPerSecond
                    row.ratioToPeer = row.turnsPerSecond / peer.turnsPerSecond
                    peerVersion = peer.version
                case .failure(let skipped): notes.append("sqlite peer (\(name)): \(skipped.reason)")
                }
            }
            rows.append(row)
            logger.debug("append", metadata: ["durability": "\(name)", "turnsPerSecond": "\(row.turnsPerSecond)"])
            if durability == .normal {
                try store.checkpoint()
                sizePer1000 = store.fileSize() * 1000 / turnCount
                var loader = ReplayLoader(store: store, run: run.id)
                let loadStart = BenchTiming.now()
                let loaded = try loader.newTransitions()
                loadRate = Double(loaded.count) / (BenchTiming.now() - loadStart)
            }
        }

        let sampling = try measureSampling(&rng)
        var peerSampling: TrajBenchPeer.SampleResult?
        if !noPeer {
            let arguments = ["sample", String(capacity), "256", String(batch), String(samples)]
            switch TrajBenchPeer.run(python, arguments, as: TrajBenchPeer.SampleResult.self) {
            case .success(let result): peerSampling = result
            case .failure(let skipped): notes.append("sampling peer: \(skipped.reason)")
            }
        }
        let report = Report(
            directory: base.path, meanContextTokens: Double(contextTokens) / Double(turnCount), append: rows,
            databaseBytesPer1000Turns: sizePer1000, storedContextBytesPer1000Turns: storedContextTokens * 4 * 1000 / turnCount,
            wholeContextBytesPer1000Turns: contextTokens * 4 * 1000 / turnCount,
            loadTransitionsPerSecond: loadRate, capacity: capacity, batch: batch, sampling: sampling,
            peerSQLite: peerVersion, peerSampling: peerSampling, peerNotes: notes,
            appendTargetMet: rows.contains { $0.durability == "normal" && $0.turnsPerSecond >= 5_000 },
            samplingTargetMet: sampling.allSatisfy { $0.latency.p50Ms <= 5 })
        if json { try JSONOutput.print(report) } else { printReport(report) }
    }

    /// Context tokens the store keeps for `episode`: a turn whose context extends the previous
    /// turn's context + generation stores only the new tokens.
    static func unsharedContextTokens(_ episode: EpisodeRecordData) -> Int {
        var previous: [Int32] = []
        return episode.turns.reduce(0) { total, turn in
            defer { previous = turn.contextTokens + turn.generatedTokens }
            let shared = !previous.isEmpty && turn.contextTokens.starts(with: previous) ? previous.count : 0
            return total + turn.contextTokens.count - shared
        }
    }

    /// Fills a buffer of `capacity` 256-token transitions and times `samples` batches per rule.
    private func measureSampling(_ rng: inout SplitMix64) throws -> [SampleRow] {
        var transitions: [Transition] = []
        transitions.reserveCapacity(capacity)
        let bar = ProgressBar(label: "filling buffer")
        while transitions.count < capacity {
            // One turn per episode: a 256-token context and its 32 generated tokens.
            let episode = SyntheticEpisodes.episode(turns: 1, promptTokens: 256, generatedTokens: 32, using: &rng)
            var transition = Transition.transitions(of: episode)[0]
            transition.nextContext = transition.context + transition.utterance  // s' extends s, as in a rollout
            transition.done = Bool.random(using: &rng)
            transitions.append(transition)
            if transitions.count % 10_000 == 0 { bar.update(done: transitions.count, total: capacity) }
        }
        bar.finish()
        return ReplaySampling.allCases.map { rule in
            var buffer = ReplayBuffer(capacity: capacity, sampling: rule)
            buffer.append(contentsOf: transitions)
            var sink = 0
            for _ in 0..<10 { sink &+= buffer.sample(batch, using: &rng).count }
            var latencies: [Double] = []
            let start = BenchTiming.now()
            for _ in 0..<samples {
                let t0 = BenchTiming.now()
                let drawn = buffer.sample(batch, using: &rng)
                latencies.append((BenchTiming.now() - t0) * 1e3)
                sink &+= drawn.count
            }
            let stats = LatencyStats(latenciesMs: latencies, wallSeconds: BenchTiming.now() - start)
            precondition(sink == batch * (samples + 10))
            return SampleRow(sampling: rule.rawValue, latency: .init(p50Ms: stats.p50Ms, p99Ms: stats.p99Ms, meanMs: stats.meanMs))
        }
    }

    private func printReport(_ report: Report) {
        print("Trajectory store in \(report.directory): \(Self.turnsPerEpisode)-turn episodes, "
              + String(format: "mean context %.0f tokens, prefix-shared", report.meanContextTokens))
        printTable(
            ["durability", "turns", "TurnRL turns/s", "peer turns/s", "ratio"],
            report.append.map { row in
                [row.durability, String(row.turns), String(format: "%.0f", row.turnsPerSecond),
                 row.peerTurnsPerSecond.map { String(format: "%.0f", $0) } ?? "—",
                 row.ratioToPeer.map { String(format: "%.2f×", $0) } ?? "—"]
            })
        if let peer = report.peerSQLite { print("peer: \(peer), executemany, one transaction per episode") }
        print(String(format: "database: %.1f KB per 1,000 turns, of which context tokens %.1f KB (stored whole they would be %.1f KB)",
                     Double(report.databaseBytesPer1000Turns) / 1000, Double(report.storedContextBytesPer1000Turns) / 1000,
                     Double(report.wholeContextBytesPer1000Turns) / 1000))
        print(String(format: "loading a run into the replay buffer: %.0f transitions/s", report.loadTransitionsPerSecond))
        print("\nsampling a batch of \(report.batch) from \(report.capacity) transitions (256-token contexts)")
        print("engine                          p50 ms   p99 ms  mean ms")
        func line(_ name: String, _ t: TrajBenchPeer.SampleTiming) {
            print(name.padding(toLength: 30, withPad: " ", startingAt: 0) + String(format: "%8.3f %8.3f %8.3f", t.p50Ms, t.p99Ms, t.meanMs))
        }
        for row in report.sampling { line("TurnRL \(row.sampling)", row.latency) }
        if let peer = report.peerSampling {
            line("\(peer.version) references", peer.listOfReferences)
            line("\(peer.version) gather arrays", peer.gatherArrays)
        }
        report.peerNotes.forEach { print("note: \($0)") }
        print("\ntargets: append ≥ 5,000 turns/s (durability normal): \(report.appendTargetMet ? "met" : "NOT met"); "
              + "sample p50 ≤ 5 ms: \(report.samplingTargetMet ? "met" : "NOT met")")
    }
}
