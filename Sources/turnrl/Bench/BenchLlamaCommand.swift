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
            --gen-tokens greedy tokens after a short prompt, batch 1, KV cache. LoRA training: \
            forward + backward of a batch of 4 × 64 tokens through rank-16 adapters on every \
            projection (base frozen). The peer is llama.cpp through llama-cpp-python with \
            --peer-threads threads, run by `Benchmarks/llama_reference.py bench` with the \
            interpreter in $TURNRL_LLAMA_PYTHON, else <data folder>/llama-ref-venv, else python3. \
            Ratios are TurnRL ÷ llama.cpp (higher is better); on a shared machine compare ratios, \
            not absolute figures.
            """)

    @Option(help: "A known model name or a GGUF path.")
    var model = "smollm2-135m"

    @Option(help: "Prompt length for the prompt-throughput figure.")
    var promptTokens = 128

    @Option(help: "Generated tokens for the generation figure.")
    var genTokens = 64

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
        let prompt = (0..<promptTokens).map { _ in Int(rng.next() % UInt64(vocab - 1000)) + 500 }

        // Prompt: logits of the last position after reading the whole prompt (one prefill).
        var best = Double.infinity
        for _ in 0..<rounds {
            let start = BenchTiming.now()
            _ = try llama.generate(prompts: [prompt], tokenizer: LengthOnlyTokenizer(size: vocab),
                                   options: GenerationOptions(sampling: SamplingConfig(temperature: 0, maxNewTokens: 1, stopAtEndOfText: false)),
                                   rng: &rng)
            best = min(best, BenchTiming.now() - start)
        }
        ours["promptTokensPerSecond"] = Double(promptTokens) / best

        // Generation: greedy tokens after an 8-token prompt; the prompt's share is subtracted.
        let short = Array(prompt.prefix(8))
        best = .infinity
        for _ in 0..<rounds {
            let start = BenchTiming.now()
            let result = try llama.generate(prompts: [short], tokenizer: LengthOnlyTokenizer(size: vocab),
                                            options: GenerationOptions(sampling: SamplingConfig(temperature: 0, maxNewTokens: genTokens, stopAtEndOfText: false)),
                                            rng: &rng)
            precondition(result[0].tokens.count == genTokens)
            best = min(best, BenchTiming.now() - start)
        }
        let prefillShort = 8 / (ours["promptTokensPerSecond"] ?? 1)
        ours["generatedTokensPerSecond"] = Double(genTokens - 1) / max(best - prefillShort, 1e-9)

        // LoRA training: forward + backward through the adapters.
        try llama.attachLoRA(LoRAConfig(), rng: &rng)
        let rows = (0..<4).map { _ in (0..<64).map { _ in Int(rng.next() % UInt64(vocab)) } }
        let batch = TokenBatch.rightPadded(rows)
        best = .infinity
        for _ in 0..<rounds {
            let start = BenchTiming.now()
            let loss = try llama.languageModelLoss(batch)
            loss.backward()
            best = min(best, BenchTiming.now() - start)
            for p in llama.parameters { p.zeroGrad() }
        }
        ours["loraTrainTokensPerSecond"] = Double(4 * 64) / best
        ours["loraParameters"] = Double(llama.parameterCount)

        var peer: [String: Double]?
        var note = "skipped (--no-peer)"
        if !noPeer { (peer, note) = runPeer(model: url.path) }
        var ratios: [String: Double] = [:]
        for key in ["promptTokensPerSecond", "generatedTokensPerSecond"] {
            if let a = ours[key], let b = peer?[key], b > 0 { ratios[key] = a / b }
        }
        let report = Report(turnrl: ours, peer: peer, peerNote: note, ratios: ratios)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
            return
        }
        print("Model: \(url.lastPathComponent); peer: \(note)")
        print(String(format: "%-28@ %12@ %12@ %8@", "figure" as NSString, "TurnRL" as NSString, "llama.cpp" as NSString, "ratio" as NSString))
        for key in ["promptTokensPerSecond", "generatedTokensPerSecond", "loraTrainTokensPerSecond"] {
            let p = peer?[key].map { String(format: "%.1f", $0) } ?? "-"
            let r = ratios[key].map { String(format: "%.2f×", $0) } ?? "-"
            print(String(format: "%-28@ %12.1f %12@ %8@", key as NSString, ours[key] ?? 0, p as NSString, r as NSString))
        }
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
