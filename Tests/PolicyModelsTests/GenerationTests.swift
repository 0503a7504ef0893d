import Foundation
import Testing
import TensorCore
@testable import PolicyModels

struct GenerationTests {
    static let checkpoint: GPT2Checkpoint = try! GPT2Checkpoint.load(folder: FixturePaths.url("tiny-gpt2"))
    static var model: GPT2Model { checkpoint.model }
    static var tokenizer: BPETokenizer { checkpoint.tokenizer! }
    static let prompts: [[Int]] = [
        tokenizer.encode("The agent calls the tool"),
        tokenizer.encode("x"),
        tokenizer.encode("Answer: 42. Then search for python and reward"),
    ]

    static func maxAbsDifference(_ a: [Float], _ b: [Float]) -> Float {
        zip(a, b).reduce(0) { max($0, abs($1.0 - $1.1)) }
    }

    @Test func kvCacheLogitsEqualFullForwardAtEveryStep() throws {
        var options = GenerationOptions(sampling: SamplingConfig(temperature: 0, maxNewTokens: 24, stopAtEndOfText: false),
                                        recordLogits: true)
        var rng = SeededRNG(seed: 1)
        let cached = try Self.model.generate(prompts: Self.prompts, tokenizer: Self.tokenizer, options: options, rng: &rng)
        options.useKVCache = false
        let full = try Self.model.generate(prompts: Self.prompts, tokenizer: Self.tokenizer, options: options, rng: &rng)
        for (c, f) in zip(cached, full) {
            #expect(c.tokens.count == 24)
            #expect(c.tokens == f.tokens)
            #expect(c.stepLogits.count == 24)
            for (step, (a, b)) in zip(c.stepLogits, f.stepLogits).enumerated() {
                let difference = Self.maxAbsDifference(a, b)
                #expect(difference < 2e-5, "step \(step): max |Δlogit| = \(difference)")
            }
        }
    }

    @Test func batchedGenerationEqualsOneByOne() throws {
        let options = GenerationOptions(sampling: SamplingConfig(temperature: 0, maxNewTokens: 12, stopAtEndOfText: false),
                                        recordLogits: true)
        var rng = SeededRNG(seed: 1)
        let batched = try Self.model.generate(prompts: Self.prompts, tokenizer: Self.tokenizer, options: options, rng: &rng)
        for (prompt, together) in zip(Self.prompts, batched) {
            let alone = try Self.model.generate(prompts: [prompt], tokenizer: Self.tokenizer, options: options, rng: &rng)[0]
            #expect(alone.tokens == together.tokens)
            for (a, b) in zip(alone.stepLogits, together.stepLogits) {
                #expect(Self.maxAbsDifference(a, b) < 2e-5)
            }
        }
    }

    @Test func seededSamplingIsReproducible() throws {
        let options = GenerationOptions(sampling: SamplingConfig(temperature: 1, maxNewTokens: 30, stopAtEndOfText: false))
        func run(_ seed: UInt64) throws -> [GenerationResult] {
            var rng = SeededRNG(seed: seed)
            return try Self.model.generate(prompts: Self.prompts, tokenizer: Self.tokenizer, options: options, rng: &rng)
        }
        let a = try run(42), b = try run(42), c = try run(43)
        #expect(a == b)
        #expect(a.map(\.tokens) != c.map(\.tokens))
    }

    @Test func sampledLogProbsMatchScoring() throws {
        let options = GenerationOptions(sampling: SamplingConfig(temperature: 1, maxNewTokens: 16, stopAtEndOfText: false))
        var rng = SeededRNG(seed: 5)
        let results = try Self.model.generate(prompts: Self.prompts, tokenizer: Self.tokenizer, options: options, rng: &rng)
        let scored = try Self.model.score(prompts: Self.prompts, continuations: results.map(\.tokens))
        for (result, score) in zip(results, scored) {
            // Plain sampling: the sampling distribution is the policy.
            #expect(Self.maxAbsDifference(result.samplingLogProbs, result.policyLogProbs) < 1e-5)
            #expect(score.logProbs.count == result.tokens.count)
            #expect(Self.maxAbsDifference(score.logProbs, result.policyLogProbs) < 1e-4)
            #expect(score.entropies.allSatisfy { $0 > 0 && $0 <= log(512) + 1e-3 })
        }
    }

    @Test func truncatedSamplingStaysInsideItsSupport() throws {
        var rng = SeededRNG(seed: 9)
        let topK = GenerationOptions(sampling: SamplingConfig(temperature: 0.8, topK: 5, maxNewTokens: 20, stopAtEndOfText: false),
                                     recordLogits: true)
        for result in try Self.model.generate(prompts: Self.prompts, tokenizer: Self.tokenizer, options: topK, rng: &rng) {
            for (token, logits) in zip(result.tokens, result.stepLogits) {
                let rank = logits.filter { $0 > logits[token] }.count
                #expect(rank < 5)
            }
            // Renormalising over fewer tokens at a lower temperature raises the probability.
            #expect(zip(result.samplingLogProbs, result.policyLogProbs).allSatisfy { $0 >= $1 - 1e-5 })
        }
        let greedy = GenerationOptions(sampling: .greedy(maxNewTokens: 10))
        let tinyP = GenerationOptions(sampling: SamplingConfig(temperature: 1, topP: 1e-6, maxNewTokens: 10))
        let k1 = GenerationOptions(sampling: SamplingConfig(temperature: 1, topK: 1, maxNewTokens: 10))
        let g = try Self.model.generate(prompts: Self.prompts, tokenizer: Self.tokenizer, options: greedy, rng: &rng)
        #expect(try Self.model.generate(prompts: Self.prompts, tokenizer: Self.tokenizer, options: tinyP, rng: &rng).map(\.tokens) == g.map(\.tokens))
        #expect(try Self.model.generate(prompts: Self.prompts, tokenizer: Self.tokenizer, options: k1, rng: &rng).map(\.tokens) == g.map(\.tokens))
        #expect(g.allSatisfy { $0.samplingLogProbs.allSatisfy { $0 == 0 } })
    }

    @Test func samplerFrequenciesFollowTheDistribution() {
        let logits: [Float] = [2, 1, 0.5, -1]
        let exps = logits.map { Foundation.exp(Double($0)) }
        let p = exps.map { $0 / exps.reduce(0, +) }
        var rng = SeededRNG(seed: 3)
        var plain = Sampler(config: SamplingConfig(), vocabularySize: 4)
        var nucleus = Sampler(config: SamplingConfig(topP: 0.8), vocabularySize: 4)
        var counts = [0, 0, 0, 0], nucleusCounts = [0, 0, 0, 0]
        let n = 40_000
        logits.withUnsafeBufferPointer { row in
            for _ in 0..<n {
                counts[plain.sample(row, using: &rng).id] += 1
                let token = nucleus.sample(row, using: &rng)
                nucleusCounts[token.id] += 1
                // The nucleus {0, 1} (p = 0.61 + 0.22 ≥ 0.8), renormalised.
                #expect(abs(Double(token.samplingLogProb) - Foundation.log(p[token.id] / (p[0] + p[1]))) < 1e-5)
            }
        }
        for i in 0..<4 { #expect(abs(Double(counts[i]) / Double(n) - p[i]) < 0.01, "token \(i)") }
        #expect(nucleusCounts[2] == 0 && nucleusCounts[3] == 0)
        #expect(abs(Double(nucleusCounts[0]) / Double(n) - p[0] / (p[0] + p[1])) < 0.01)
    }

    @Test func stopStringsAndEndOfTextEndARow() throws {
        let tokenizer = ByteTokenizer()
        let sampling = SamplingConfig(maxNewTokens: 100, stopStrings: ["</python>"])
        var state = GenerationState(prompts: [[1], [2]], sampling: sampling, tokenizer: tokenizer, contextLength: 64)
        for id in tokenizer.encode("print(1)</pyth") { state.append(SampledToken(id: id, samplingLogProb: 0, policyLogProb: 0), row: 0) }
        #expect(state.active == [true, true])
        for id in tokenizer.encode("on> more") where state.active[0] {
            state.append(SampledToken(id: id, samplingLogProb: 0, policyLogProb: 0), row: 0)
        }
        state.append(SampledToken(id: tokenizer.endOfTextID!, samplingLogProb: 0, policyLogProb: 0), row: 1)
        state.finish()
        #expect(state.active == [false, false])
        #expect(state.results[0].text == "print(1)</python>")
        #expect(state.results[0].stopReason == .stopString("</python>"))
        #expect(state.results[1].stopReason == .endOfText)
    }

    @Test func generationStopsAtTheContextEnd() throws {
        let prompt = [Int](repeating: 5, count: 60)  // the fixture model has 64 positions
        var rng = SeededRNG(seed: 2)
        let options = GenerationOptions(sampling: SamplingConfig(maxNewTokens: 20, stopAtEndOfText: false))
        let result = try Self.model.generate(prompts: [prompt, [7]], tokenizer: Self.tokenizer, options: options, rng: &rng)
        #expect(result[0].tokens.count == 4)
        #expect(result[0].stopReason == .contextFull)
        #expect(result[1].tokens.count == 20)
        #expect(throws: PolicyModelsError.contextOverflow(length: 65, maximum: 64)) {
            try Self.model.generate(prompts: [[Int](repeating: 1, count: 65)], tokenizer: Self.tokenizer, options: options, rng: &rng)
        }
    }
}
