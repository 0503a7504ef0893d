import ArgumentParser
import CBLAS
import Foundation
import PolicyModels
import TensorCore

/// `turnrl bench policy`: speed of the reference policy (issue 3) — training and forward
/// tokens/s, generation tokens/s with and without the KV cache, peak RSS of a training step —
/// and, when PyTorch is installed, the same figures from `Benchmarks/pytorch_peer.py` measured
/// in the same run, with ratios.
struct BenchPolicyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy",
        abstract: "Benchmark the reference GPT-2 policy: training, forward and generation tokens/s, peak RSS.",
        discussion: """
            Reference policy: 4 layers, d_model 256, 4 heads, context 256, vocabulary 512, \
            batch 16 (forward + backward + AdamW). Generation: batch 1, a 16-token prompt and \
            256 new tokens, sampled at temperature 1 (the same model with 512 positions, so \
            256 new tokens fit). The PyTorch peer (HF transformers GPT2LMHeadModel, 2 threads) \
            runs only when `python3 -c 'import torch, transformers'` works.
            """)

    @Flag(help: "Print one JSON object instead of the table.")
    var json = false

    @Option(help: "Timed training steps (after one warm-up step).")
    var steps = 5

    @OptionGroup var peerOptions: PyTorchPeerOptions

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let logger = global.logger("turnrl.bench.policy")
        let figures = try PolicyBenchmark(steps: steps).run { logger.info("\($0)") }
        var peer: [String: Double]?
        var peerNote = "skipped (--no-peer)"
        if !peerOptions.noPeer {
            (peer, peerNote) = PolicyBenchmark.runPeer(script: peerOptions.peerScript, arguments: ["--steps", "\(steps)", "--threads", "\(peerOptions.peerThreads)"])
            logger.info("peer: \(peerNote)")
        }
        let report = PolicyBenchReport(figures: figures, peer: peer, peerNote: peerNote)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            report.printTable()
        }
    }
}

/// The measured figures (all rates in tokens per second).
struct PolicyFigures: Codable {
    var trainTokensPerSecond: Double
    var forwardTokensPerSecond: Double
    var generateCachedTokensPerSecond: Double
    var generateUncachedTokensPerSecond: Double
    var generateCachedBatch8TokensPerSecond: Double
    var peakRSSTrainStepMB: Double
    var parameters: Int
    var openBLASCore: String
    var openBLASCoreFromEnvironment: Bool
    var threads: Int
}

struct PolicyBenchReport: Codable {
    var figures: PolicyFigures
    var peer: [String: Double]?
    var peerNote: String
    /// Ours ÷ PyTorch for each figure both sides have (higher is better, except RSS).
    var ratios: [String: Double] {
        guard let peer else { return [:] }
        let ours: [String: Double] = [
            "train_tokens_per_s": figures.trainTokensPerSecond,
            "forward_tokens_per_s": figures.forwardTokensPerSecond,
            "generate_cached_tokens_per_s": figures.generateCachedTokensPerSecond,
            "generate_uncached_tokens_per_s": figures.generateUncachedTokensPerSecond,
            "peak_rss_train_step_mb": figures.peakRSSTrainStepMB,
        ]
        return ours.reduce(into: [:]) { result, entry in
            if let theirs = peer[entry.key], theirs > 0 { result[entry.key] = entry.value / theirs }
        }
    }

    enum CodingKeys: String, CodingKey { case figures, peer, peerNote, ratios, kvCacheSpeedup }
    var kvCacheSpeedup: Double { figures.generateCachedTokensPerSecond / figures.generateUncachedTokensPerSecond }

    init(figures: PolicyFigures, peer: [String: Double]?, peerNote: String) {
        self.figures = figures
        self.peer = peer
        self.peerNote = peerNote
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        figures = try c.decode(PolicyFigures.self, forKey: .figures)
        peer = try c.decodeIfPresent([String: Double].self, forKey: .peer)
        peerNote = try c.decode(String.self, forKey: .peerNote)
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(figures, forKey: .figures)
        try c.encode(peer, forKey: .peer)
        try c.encode(peerNote, forKey: .peerNote)
        try c.encode(ratios, forKey: .ratios)
        try c.encode(kvCacheSpeedup, forKey: .kvCacheSpeedup)
    }

    func printTable() {
        let f = figures
        print("Reference policy (\(f.parameters) parameters), OpenBLAS core \(f.openBLASCore)\(f.openBLASCoreFromEnvironment ? " (OPENBLAS_CORETYPE)" : ""), \(f.threads) threads")
        func row(_ name: String, _ ours: Double, _ key: String, _ unit: String) {
            let theirs = peer?[key]
            let peerText = theirs.map { String(format: "%12.0f", $0) } ?? "           –"
            let ratio = theirs.map { String(format: "%6.2f×", ours / $0) } ?? ""
            print("  \(name.padding(toLength: 30, withPad: " ", startingAt: 0)) \(String(format: "%12.0f", ours)) \(peerText) \(ratio) \(unit)")
        }
        print("  \("".padding(toLength: 30, withPad: " ", startingAt: 0))       TurnRL      PyTorch  ratio")
        row("training (fwd+bwd+AdamW)", f.trainTokensPerSecond, "train_tokens_per_s", "tokens/s")
        row("forward only", f.forwardTokensPerSecond, "forward_tokens_per_s", "tokens/s")
        row("generation, KV cache", f.generateCachedTokensPerSecond, "generate_cached_tokens_per_s", "tokens/s")
        row("generation, no cache", f.generateUncachedTokensPerSecond, "generate_uncached_tokens_per_s", "tokens/s")
        row("generation, KV cache, batch 8", f.generateCachedBatch8TokensPerSecond, "generate_cached_batch8_tokens_per_s", "tokens/s")
        row("peak RSS, one training step", f.peakRSSTrainStepMB, "peak_rss_train_step_mb", "MB")
        print(String(format: "  KV cache speed-up: %.1f×", kvCacheSpeedup))
        print("  peer: \(peerNote)")
    }
}

/// The measurements themselves.
struct PolicyBenchmark {
    let steps: Int
    static let batch = 16
    static let newTokens = 256
    static let promptLength = 16

    func run(progress: (String) -> Void) throws -> PolicyFigures {
        var rng = SeededRNG(seed: 1)
        let config = GPT2Config.reference
        let model = try GPT2Model(config: config, rng: &rng)
        let optimizer = AdamW(parameters: model.parameters)
        let tokens = Self.batch * config.contextLength
        let batch = TokenBatch.rightPadded((0..<Self.batch).map { _ in
            (0..<config.contextLength).map { _ in Int.random(in: 0..<config.vocabSize, using: &rng) }
        })
        func trainStep() throws {
            optimizer.zeroGrad()
            let loss = try model.languageModelLoss(batch)
            loss.backward()
            optimizer.step()
        }
        // Peak RSS of one step: reset the high-water mark, run the (first, allocating) step.
        PeakMemory.reset()
        try trainStep()
        let peakMB = PeakMemory.peakMB()
        progress("training: warm-up step done, peak RSS \(Int(peakMB)) MB")
        let train = try Self.time(steps) { try trainStep() }
        progress("training: \(Int(Double(tokens) / train)) tokens/s")
        _ = try noGrad { try model.languageModelLoss(batch) }
        let forward = try Self.time(steps) { _ = try noGrad { try model.languageModelLoss(batch) } }
        progress("forward: \(Int(Double(tokens) / forward)) tokens/s")

        var genConfig = config
        genConfig.contextLength = 512
        let generator = try GPT2Model(config: genConfig, rng: &rng)
        let tokenizer = ByteTokenizer(specialTokenNames: [])
        // Tokens/s of `runs` generations (tokens actually produced ÷ seconds); the median, so
        // one run the OS scheduler delayed does not become the figure. Each run is logged.
        func generate(batch: Int, cache: Bool, runs: Int) throws -> Double {
            let options = GenerationOptions(sampling: SamplingConfig(maxNewTokens: Self.newTokens, stopAtEndOfText: false), useKVCache: cache)
            var rates: [Double] = []
            let cpuStart = Self.processCPUSeconds(), wallStart = BenchTiming.now()
            for _ in 0..<runs {
                let prompts = (0..<batch).map { _ in (0..<Self.promptLength).map { _ in Int.random(in: 0..<256, using: &rng) } }
                var produced = 0
                let seconds = try Self.time(1) {
                    produced = try generator.generate(prompts: prompts, tokenizer: tokenizer, options: options, rng: &rng)
                        .reduce(0) { $0 + $1.tokens.count }
                }
                rates.append(Double(produced) / seconds)
            }
            // CPU ÷ wall time tells a slow kernel (≈ threads used) from waiting for a core (lower).
            let cpuShare = (Self.processCPUSeconds() - cpuStart) / (BenchTiming.now() - wallStart)
            progress("generation batch \(batch), \(cache ? "KV cache" : "no cache"): runs \(rates.map { Int($0) }) tokens/s, CPU/wall \(String(format: "%.2f", cpuShare))")
            return rates.sorted()[rates.count / 2]
        }
        // Cached runs take ~0.1 s each, so five are cheap; uncached takes seconds and is steady.
        let cached = try generate(batch: 1, cache: true, runs: 5)
        progress("generation with KV cache: \(Int(cached)) tokens/s")
        let uncached = try generate(batch: 1, cache: false, runs: 1)
        progress("generation without cache: \(Int(uncached)) tokens/s")
        let cached8 = try generate(batch: 8, cache: true, runs: 3)
        progress("generation with KV cache, batch 8: \(Int(cached8)) tokens/s")
        let coreName = openblas_get_corename().map { String(cString: $0) } ?? "unknown"
        return PolicyFigures(
            trainTokensPerSecond: Double(tokens) / train, forwardTokensPerSecond: Double(tokens) / forward,
            generateCachedTokensPerSecond: cached, generateUncachedTokensPerSecond: uncached,
            generateCachedBatch8TokensPerSecond: cached8, peakRSSTrainStepMB: peakMB,
            parameters: model.parameterCount, openBLASCore: coreName,
            openBLASCoreFromEnvironment: OpenBLASCoreChoice.userChoice() != nil,
            threads: Int(openblas_get_num_threads()))
    }

    /// CPU seconds used so far by all of this process's threads.
    static func processCPUSeconds() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }

    /// Mean wall-clock seconds of `repetitions` runs of `body`.
    static func time(_ repetitions: Int, _ body: () throws -> Void) rethrows -> Double {
        let start = BenchTiming.now()
        for _ in 0..<repetitions { try body() }
        return (BenchTiming.now() - start) / Double(repetitions)
    }

    /// Runs the PyTorch peer script with `arguments` (`--threads N` among them); returns its
    /// figures, or nil and why not.
    static func runPeer(script: String, arguments: [String]) -> ([String: Double]?, String) {
        guard FileManager.default.fileExists(atPath: script) else {
            return (nil, "not run: \(script) not found (run from the repository root or pass --peer-script)")
        }
        let python = ProcessInfo.processInfo.environment["TURNRL_BENCH_PYTHON"] ?? Shell.which("python3") ?? "/usr/bin/python3"
        do {
            let output = try Shell.run(python, [script] + arguments)
            guard output.status == 0 else {
                let reason = output.stderr.split(separator: "\n").last.map(String.init) ?? "exit \(output.status)"
                return (nil, "not run: \(python) \(script) failed: \(reason) (pip install torch transformers)")
            }
            guard let line = output.stdout.split(separator: "\n").last,
                  let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                return (nil, "not run: the peer printed no JSON object")
            }
            let numbers = object.compactMapValues { ($0 as? NSNumber)?.doubleValue }
            let version = object["torch_version"] as? String ?? "?"
            let threads = numbers["threads"].map { Int($0) } ?? 0
            return (numbers, "PyTorch \(version) via \(python), \(threads) thread\(threads == 1 ? "" : "s")")
        } catch {
            return (nil, "not run: cannot start \(python): \(error)")
        }
    }
}

/// The process's peak resident set size (Linux `VmHWM`), resettable through
/// `/proc/self/clear_refs` so one phase can be measured on its own.
enum PeakMemory {
    static func reset() {
        try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8)
    }

    static func peakMB() -> Double {
        if let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
           let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
           let kb = Double(line.split(separator: " ").dropFirst().first ?? "") {
            return kb / 1024
        }
        // No /proc: the peak since process start.
        return BenchTiming.peakRSSMiB()
    }
}
