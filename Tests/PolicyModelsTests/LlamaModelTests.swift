import Foundation
import Testing
import TensorCore
@testable import PolicyModels

/// The Llama model on a tiny random configuration: cached decoding equals the full forward
/// pass, padding does not change a row, scoring agrees with the logits, and the new ops'
/// gradients match finite differences.
struct LlamaModelTests {
    static let tokenizer = ByteTokenizer()
    static func model(seed: UInt64 = 3) -> LlamaModel {
        var rng = SeededRNG(seed: seed)
        return try! LlamaModel(config: .tiny, rng: &rng)
    }
    static let prompts = [Array("tool call".utf8).map(Int.init), [Int(UInt8(ascii: "x"))], Array("answer: 42".utf8).map(Int.init)]

    @Test func kvCacheLogitsEqualFullForwardAtEveryStep() throws {
        let model = Self.model()
        var options = GenerationOptions(sampling: SamplingConfig(temperature: 0, maxNewTokens: 10, stopAtEndOfText: false), recordLogits: true)
        var rng = SeededRNG(seed: 1)
        let cached = try model.generate(prompts: Self.prompts, tokenizer: Self.tokenizer, options: options, rng: &rng)
        options.useKVCache = false
        let full = try model.generate(prompts: Self.prompts, tokenizer: Self.tokenizer, options: options, rng: &rng)
        for (c, f) in zip(cached, full) {
            #expect(c.tokens == f.tokens)
            #expect(c.stepLogits.count == 10)
            for (a, b) in zip(c.stepLogits, f.stepLogits) {
                let worst = zip(a, b).map { abs($0 - $1) }.max()!
                #expect(worst < 1e-4)
            }
        }
    }

    /// Prompts that start alike have their common tokens encoded once and shared by every row's
    /// cache; the logits must still be the full forward pass's at every step.
    @Test func sharedPromptPrefixIsEncodedOnceWithTheSameLogits() throws {
        let prompts = ["system: be brief. task 1", "system: be brief. task 22", "system: be brief. q"].map { Array($0.utf8).map(Int.init) }
        #expect(LlamaModel.sharedPrefixLength(prompts) == 18)
        #expect(LlamaModel.sharedPrefixLength([prompts[0], prompts[0]]) == prompts[0].count - 1)
        #expect(LlamaModel.sharedPrefixLength([prompts[0]]) == 0)
        let model = Self.model()
        var options = GenerationOptions(sampling: SamplingConfig(temperature: 0, maxNewTokens: 8, stopAtEndOfText: false), recordLogits: true)
        var rng = SeededRNG(seed: 1)
        let cached = try model.generate(prompts: prompts, tokenizer: Self.tokenizer, options: options, rng: &rng)
        options.useKVCache = false
        let full = try model.generate(prompts: prompts, tokenizer: Self.tokenizer, options: options, rng: &rng)
        for (c, f) in zip(cached, full) {
            #expect(c.tokens == f.tokens)
            #expect(c.stepLogits.count == 8)
            for (a, b) in zip(c.stepLogits, f.stepLogits) { #expect(zip(a, b).map { abs($0 - $1) }.max()! < 1e-4) }
        }
    }

    /// A second turn through a `LlamaPromptCache`: a row extending its first turn reads only
    /// its new tokens, a row the cache has never seen reads all of its own, and every step's
    /// logits are still the full forward pass's.
    @Test func promptCacheReadsOnlyNewTokensWithTheSameLogits() throws {
        let model = Self.model()
        let first = ["sys: q one", "sys: q two!", "sys: three"].map { Array($0.utf8).map(Int.init) }
        var options = GenerationOptions(sampling: SamplingConfig(temperature: 0, maxNewTokens: 5, stopAtEndOfText: false), recordLogits: true)
        let cache = LlamaPromptCache()
        var rng = SeededRNG(seed: 1)
        let replies = try model.generate(prompts: first, tokenizer: Self.tokenizer, options: options, cache: cache, rng: &rng)
        // Each row's prompt and the 4 reply tokens fed back (the 5th was never read).
        #expect(cache.storedTokens == first.reduce(0) { $0 + $1.count + 4 })
        // The prompts share "sys: " (read once, apart); each row then reads a window as wide as
        // the longest rest, "q two!" (6 tokens).
        #expect(cache.readTokens == 3 * 6)

        let second = [first[0] + replies[0].tokens + Array(" ok".utf8).map(Int.init),
                      Array("new task".utf8).map(Int.init),
                      first[2] + replies[2].tokens + Array(" a longer note".utf8).map(Int.init)]
        let cached = try model.generate(prompts: second, tokenizer: Self.tokenizer, options: options, cache: cache, rng: &rng)
        options.useKVCache = false
        let full = try model.generate(prompts: second, tokenizer: Self.tokenizer, options: options, rng: &rng)
        for (c, f) in zip(cached, full) {
            #expect(c.tokens == f.tokens)
            for (a, b) in zip(c.stepLogits, f.stepLogits) { #expect(zip(a, b).map { abs($0 - $1) }.max()! < 1e-4) }
        }
        // Row 2's rest is the widest: its last reply token and " a longer note", 15 tokens. Row 0
        // reads that many too (a few again); row 1, all 8 of its own.
        #expect(cache.readTokens - 3 * 6 == 15 + 8 + 15)
        #expect(cache.storedTokens == second.reduce(0) { $0 + $1.count + 4 })
    }

    @Test func batchedEqualsOneByOneAndScoresMatchGeneration() throws {
        let model = Self.model()
        let options = GenerationOptions(sampling: SamplingConfig(temperature: 0, maxNewTokens: 6, stopAtEndOfText: false))
        var rng = SeededRNG(seed: 1)
        let batched = try model.generate(prompts: Self.prompts, tokenizer: Self.tokenizer, options: options, rng: &rng)
        for (i, p) in Self.prompts.enumerated() {
            let alone = try model.generate(prompts: [p], tokenizer: Self.tokenizer, options: options, rng: &rng)[0]
            #expect(alone.tokens == batched[i].tokens)
            let scored = try model.score(prompts: [p], continuations: [alone.tokens])[0]
            for (s, g) in zip(scored.logProbs, alone.policyLogProbs) { #expect(abs(s - g) < 1e-4) }
        }
    }

    @Test func ropeGradientsMatchFiniteDifferences() {
        var rng = SeededRNG(seed: 9)
        let x = Tensor.randn([2, 3, 8], rng: &rng, requiresGrad: true)
        let weights = Tensor.randn([2, 3, 8], rng: &rng)
        let positions = [0, 1, 5, 2, 3, 4]
        func loss(_ x: Tensor) -> Tensor {
            (x.rotaryEmbedding(positions: positions, headDim: 4, base: 100) * weights).sum()
        }
        loss(x).backward()
        let analytic = x.grad!.toArray()
        let values = x.toArray()
        for i in stride(from: 0, to: values.count, by: 5) {
            var plus = values, minus = values
            plus[i] += 1e-2; minus[i] -= 1e-2
            let numeric = (noGrad { loss(Tensor(shape: x.shape, data: plus)) }.item
                - noGrad { loss(Tensor(shape: x.shape, data: minus)) }.item) / 2e-2
            #expect(abs(numeric - analytic[i]) < 2e-3, "element \(i): \(numeric) vs \(analytic[i])")
        }
    }

    @Test func rotationKeepsNormsAndPositionZeroIsIdentity() {
        var rng = SeededRNG(seed: 2)
        let x = Tensor.randn([1, 2, 8], rng: &rng)
        let y = x.rotaryEmbedding(positions: [0, 7], headDim: 8, base: 10_000).toArray()
        let v = x.toArray()
        #expect(Array(y[0..<8]) == Array(v[0..<8]))
        let n0 = v[8...].reduce(0) { $0 + $1 * $1 }, n1 = y[8...].reduce(0) { $0 + $1 * $1 }
        #expect(abs(n0 - n1) < 1e-4)
    }
}
