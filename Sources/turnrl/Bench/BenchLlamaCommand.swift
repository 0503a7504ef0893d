import ArgumentParser
import Foundation
import PolicyModels
import TensorCore

/// `turnrl bench llama`: SmolLM2-135M (or any Llama GGUF) on TensorCore — prompt tokens/s,
/// generated tokens/s, LoRA training tokens/s — next to llama.cpp (llama-cpp-python) on the
/// same file, measured in the same run, with ratios.
struct BenchLlamaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "llama",
        abstract: "Benchmark a Llama GGUF (default SmolLM2-135M): prompt, generation and LoRA training tokens/s vs llama.cpp.",
        discussion: """
            Prompt: one sequence of --prompt-tokens tokens read at once (batch 1). Generation: \
            --gen-tokens greedy tokens after a short prompt, batch 1, KV cache. Batched \
            generation: the same for --gen-batch prompts decoded together (ArCHer's fresh \
            replies, a rollout), next to the same model with every product through OpenBLAS \
            sgemm on its Float32 weights. Multi-turn decoding: --gen-batch episodes of 6 turns \
            decoded as a rollout decodes them, with the turn cache (a turn reads only the tokens \
            after its last reply) and without it (each turn reads its whole context again). LoRA training: \
            forward + backward of a batch of 4 × 64 tokens through rank-16 adapters on every \
            projection (base frozen). The peer is llama.cpp through llama-cpp-python with \
            --peer-threads threads, run by `Benchmarks/llama_reference.py bench` with the \
            interpreter in $TURNRL_LLAMA_PYTHON, else <data folder>/llama-ref-venv, else python3. \
            Ratios are TurnRL ÷ llama.cpp (higher is better); on a shared machine compare ratios, \
            not absolute figures. Each rate is given per wall second and per CPU second of the \
            process (all its threads): under load from other programs the CPU-time rates are \
            the steadier comparison.
            """)

    @Option(help: "A known model name or a GGUF path.")
    var model = "smollm2-135m"

    @Option(help: "Prompt length for the prompt-throughput figure.")
    var promptTokens = 128

    @Option(help: "Generated tokens for the generation figure.")
    var genTokens = 64

    @Option(help: "Prompts decoded together for the batched-generation figure.")
    var genBatch = 16

    @Option(help: "Timed repetitions of each figure (best is kept).")
    var rounds = 3

    @Option(help: "Path of the reference script.")
    var peerScript = "Benchmarks/llama_reference.py"

    @Option(help: "Threads for llama.cpp.")
    var peerThreads = 2

    @Flag(help: "Skip the llama.cpp peer.")
    var noPeer = false

    @Flag(help: "Print one JSON object instead of the table.")
    var json = false

    @OptionGroup var global: GlobalOptions

    struct Report: Codable {
        var turnrl: [String: Double]
        var peer: [String: Double]?
        var peerNote: String
        var ratios: [String: Double]
    }

    func run() throws {
        let url = try ModelCatalog.resolve(model)
        let file = try GGUFFile(path: url.path)
        let loadStart = BenchTiming.now()
        let llama = try LlamaModel(gguf: file)
        var ours: [String: Double] = ["loadSeconds": BenchTiming.now() - loadStart]
        let vocab = llama.config.vocabSize
        var rng = SeededRNG(seed: 1)
        // Ordinary token ids in [500, vocab − 500), away from the special tokens at the start.
        func randomTokens(_ count: Int, using generator: inout SeededRNG) -> [Int] {
            (0..<count).map { _ in Int(generator.next() % UInt64(vocab - 1000)) + 500 }
        }
        let prompt = randomTokens(promptTokens, using: &rng)

        let tokenizer = LengthOnlyTokenizer(size: vocab)
        func greedy(_ n: Int) -> GenerationOptions {
            GenerationOptions(sampling: SamplingConfig(temperature: 0, maxNewTokens: n, stopAtEndOfText: false))
        }
        // Prompt: logits of the last position after reading the whole prompt (one prefill).
        let prefill = try Stopwatch.best(rounds: rounds) {
            _ = try llama.generate(prompts: [prompt], tokenizer: tokenizer, options: greedy(1), rng: &rng)
        }
        ours["promptTokensPerSecond"] = Double(promptTokens) / prefill.wall
        ours["promptTokensPerCPUSecond"] = Double(promptTokens) / prefill.cpu

        // Generation: greedy tokens after 8-token prompts, minus the time of those prompts alone.
        func generationRate(_ model: LlamaModel, prompts: [[Int]]) throws -> (wall: Double, cpu: Double) {
            let prefillOnly = try Stopwatch.best(rounds: rounds) {
                _ = try model.generate(prompts: prompts, tokenizer: tokenizer, options: greedy(1), rng: &rng)
            }
            let whole = try Stopwatch.best(rounds: rounds) {
                let results = try model.generate(prompts: prompts, tokenizer: tokenizer, options: greedy(genTokens), rng: &rng)
                precondition(results.allSatisfy { $0.tokens.count == genTokens })
            }
            let tokens = Double(prompts.count * (genTokens - 1))
            return (tokens / max(whole.wall - prefillOnly.wall, 1e-9), tokens / max(whole.cpu - prefillOnly.cpu, 1e-9))
        }
        let single = try generationRate(llama, prompts: [Array(prompt.prefix(8))])
        ours["generatedTokensPerSecond"] = single.wall
        ours["generatedTokensPerCPUSecond"] = single.cpu

        // Batched generation: --gen-batch short prompts decoded together, the quantised few-row
        // products against sgemm on the Float32 weights (the same model loaded without them).
        let prompts = (0..<genBatch).map { _ in randomTokens(8, using: &rng) }
        let batched = try generationRate(llama, prompts: prompts)
        let sgemm = try generationRate(try LlamaModel(gguf: file, keepQuantized: false), prompts: prompts)
        ours["batchGeneratedTokensPerSecond"] = batched.wall
        ours["batchGeneratedTokensPerCPUSecond"] = batched.cpu
        ours["sgemmBatchGeneratedTokensPerSecond"] = sgemm.wall
        ours["sgemmBatchGeneratedTokensPerCPUSecond"] = sgemm.cpu

        // Multi-turn decoding: --gen-batch episodes decoded turn by turn as a rollout does,
        // through a turn cache (each turn reads its new tokens) and without one (each turn
        // reads its whole context but the start every episode shares).
        func multiTurn(cached: Bool) throws -> (wall: Double, cpu: Double) {
            try Stopwatch.best(rounds: rounds) {
                var episodeRNG = SeededRNG(seed: 7)
                let start = randomTokens(MultiTurnShape.sharedStart, using: &episodeRNG)
                var contexts = (0..<genBatch).map { _ in start + randomTokens(MultiTurnShape.task, using: &episodeRNG) }
                let cache = cached ? LlamaPromptCache() : nil
                for _ in 0..<MultiTurnShape.turns {
                    let replies = try llama.generate(prompts: contexts, tokenizer: tokenizer, options: greedy(MultiTurnShape.reply),
                                                     cache: cache, rng: &rng)
                    contexts = zip(contexts, replies).map { $0 + $1.tokens + randomTokens(MultiTurnShape.between, using: &episodeRNG) }
                }
            }
        }
        let withCache = try multiTurn(cached: true)
        let rereading = try multiTurn(cached: false)
        ours["multiTurnSecondsWithTurnCache"] = withCache.wall
        ours["multiTurnSecondsRereading"] = rereading.wall

        // LoRA training: forward + backward through rank-16 adapters on every projection.
        try llama.attachLoRA(LoRAConfig(), rng: &rng)
        let rows = (0..<4).map { _ in (0..<64).map { _ in Int(rng.next() % UInt64(vocab)) } }
        let batch = TokenBatch.rightPadded(rows)
        let training = try Stopwatch.best(rounds: rounds) {
            let loss = try llama.languageModelLoss(batch)
            loss.backward()
            for p in llama.parameters { p.zeroGrad() }
        }
        ours["loraTrainTokensPerSecond"] = Double(4 * 64) / training.wall
        ours["loraTrainTokensPerCPUSecond"] = Double(4 * 64) / training.cpu
        ours["loraParameters"] = Double(llama.parameterCount)

        var peer: [String: Double]?
        var note = "skipped (--no-peer)"
        if !noPeer { (peer, note) = runPeer(model: url.path) }
        var ratios: [String: Double] = [:]
        for key in ["promptTokensPerSecond", "generatedTokensPerSecond", "promptTokensPerCPUSecond", "generatedTokensPerCPUSecond"] {
            if let a = ours[key], let b = peer?[key], b > 0 { ratios[key] = a / b }
        }
        ratios["batchGenerationVsSgemmPerCPUSecond"] = batched.cpu / sgemm.cpu
        ratios["turnCacheVsRereadingPerCPUSecond"] = rereading.cpu / withCache.cpu
        let report = Report(turnrl: ours, peer: peer, peerNote: note, ratios: ratios)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
            return
        }
        print("Model: \(url.lastPathComponent); peer: \(note)")
        func pad(_ text: String, _ width: Int) -> String { String(repeating: " ", count: max(0, width - text.count)) + text }
        print(pad("figure", 30) + pad("TurnRL", 12) + pad("llama.cpp", 12) + pad("ratio", 9))
        for key in ["promptTokensPerSecond", "generatedTokensPerSecond", "promptTokensPerCPUSecond",
                    "generatedTokensPerCPUSecond", "loraTrainTokensPerSecond", "loraTrainTokensPerCPUSecond"] {
            let p = peer?[key].map { String(format: "%.1f", $0) } ?? "-"
            let r = ratios[key].map { String(format: "%.2f×", $0) } ?? "-"
            print(pad(key, 30) + pad(String(format: "%.1f", ours[key] ?? 0), 12) + pad(p, 12) + pad(r, 9))
        }
        print(String(format: "Batch-%d generation: %.1f tokens/s (%.1f per CPU second); through sgemm on Float32 weights %.1f (%.1f): %.2f× per CPU second",
                     genBatch, batched.wall, batched.cpu, sgemm.wall, sgemm.cpu, batched.cpu / sgemm.cpu))
        print(String(format: "Multi-turn decoding (%d episodes × %d turns): %.1f s with the turn cache, %.1f s reading each context again (CPU %.1f vs %.1f s): %.2f× per CPU second",
                     genBatch, MultiTurnShape.turns, withCache.wall, rereading.wall, withCache.cpu, rereading.cpu, rereading.cpu / withCache.cpu))
        print(String(format: "LoRA parameters: %.2f M; load (dequantise) %.1f s", (ours["loraParameters"] ?? 0) / 1e6, ours["loadSeconds"] ?? 0))
    }

    private func runPeer(model: String) -> ([String: Double]?, String) {
        guard FileManager.default.fileExists(atPath: peerScript) else {
            return (nil, "not run: \(peerScript) not found (run from the repository root or pass --peer-script)")
        }
        let environment = ProcessInfo.processInfo.environment
        let venv = DataDirectory.url().appendingPathComponent("llama-ref-venv/bin/python3").path
        let python = environment["TURNRL_LLAMA_PYTHON"]
            ?? (FileManager.default.isExecutableFile(atPath: venv) ? venv : Shell.which("python3") ?? "/usr/bin/python3")
        do {
            let output = try Shell.run(python, [peerScript, "bench", model, "--prompt-tokens", "\(promptTokens)",
                                                "--gen-tokens", "\(genTokens)", "--rounds", "\(rounds)", "--threads", "\(peerThreads)"])
            guard output.status == 0, let line = output.stdout.split(separator: "\n").last,
                  let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                let reason = output.stderr.split(separator: "\n").last.map(String.init) ?? "exit \(output.status)"
                return (nil, "not run: \(python) \(peerScript) bench failed: \(reason) (pip install llama-cpp-python)")
            }
            let numbers = object.compactMapValues { ($0 as? NSNumber)?.doubleValue }
            return (numbers, "llama.cpp via llama-cpp-python \(object["version"] as? String ?? "?"), \(peerThreads) threads")
        } catch {
            return (nil, "not run: cannot start \(python): \(error)")
        }
    }
}

/// The episodes of `bench llama`'s multi-turn figure, in tokens: shaped like guess-country's
/// (a system prompt every task shares, a short task, short replies, an observation and the
/// next turn's header between replies).
enum MultiTurnShape {
    static let sharedStart = 256
    static let task = 32
    static let turns = 6
    static let reply = 16
    static let between = 32
}

/// Wall and process CPU seconds of one call: on a machine shared with other work the CPU
/// time (all threads of this process) is the steadier measure of the work itself.
struct Stopwatch {
    static func cpuNow() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }

    /// Best wall and best CPU seconds of `rounds` runs of `body`.
    static func best(rounds: Int, _ body: () throws -> Void) rethrows -> (wall: Double, cpu: Double) {
        var wall = Double.infinity, cpu = Double.infinity
        for _ in 0..<rounds {
            let w = BenchTiming.now(), c = cpuNow()
            try body()
            wall = min(wall, BenchTiming.now() - w)
            cpu = min(cpu, cpuNow() - c)
        }
        return (wall, cpu)
    }
}

/// A tokenizer that only knows the vocabulary size: the benchmark feeds and samples ids and
/// never turns them into text.
struct LengthOnlyTokenizer: Tokenizer {
    let size: Int
    var vocabularySize: Int { size }
    var specialTokens: [String: Int] { [:] }
    var endOfTextID: Int? { nil }
    func encode(_ text: String) -> [Int] { [] }
    func decodeBytes(_ ids: [Int]) throws(PolicyModelsError) -> [UInt8] { [] }
}
