import Foundation
import Testing
import TensorCore
@testable import PolicyModels

/// The model, heads and critic learn with TensorCore's autograd and AdamW.
struct TrainingTests {
    /// A synthetic language: "abcde=edcba\n" — a random 5-letter word over 8 letters, "=", its
    /// reverse. Only the reversed half is predictable, so the loss is taken there.
    static func reversalExample<G: RandomNumberGenerator>(_ tokenizer: ByteTokenizer, using rng: inout G) -> (ids: [Int], lossMask: [Bool], word: String) {
        let letters = Array("abcdefgh")
        let word = String((0..<5).map { _ in letters[Int.random(in: 0..<letters.count, using: &rng)] })
        let prompt = tokenizer.encode(word + "=")
        let answer = tokenizer.encode(String(word.reversed()) + "\n")
        return (prompt + answer, [Bool](repeating: false, count: prompt.count) + [Bool](repeating: true, count: answer.count), word)
    }

    @Test func learnsToReverseStrings() throws {
        let tokenizer = ByteTokenizer()
        var rng = SeededRNG(seed: 2024)
        let config = GPT2Config(vocabSize: tokenizer.vocabularySize, contextLength: 16, dModel: 64, layers: 2, heads: 4)
        let model = try GPT2Model(config: config, rng: &rng)
        let optimizer = AdamW(parameters: model.parameters, config: AdamWConfig(learningRate: 3e-3, weightDecay: 0.01))
        var loss: Float = .infinity
        var steps = 0
        // A bounded budget: 1,500 steps of batch 32 (≈ 10 s in release on 2 cores).
        while steps < 1500 && loss > 0.02 {
            let examples = (0..<32).map { _ in Self.reversalExample(tokenizer, using: &rng) }
            let batch = TokenBatch.rightPadded(examples.map(\.ids))
            let mask = examples.flatMap(\.lossMask)
            let l = try model.languageModelLoss(batch, lossMask: mask)
            optimizer.zeroGrad()
            l.backward()
            clipGradNorm(model.parameters, maxNorm: 1)
            optimizer.step()
            loss = l.item
            steps += 1
        }
        #expect(loss < 0.02, "loss \(loss) after \(steps) steps")
        // Greedy generation reverses held-out words.
        let tests = (0..<20).map { _ in Self.reversalExample(tokenizer, using: &rng) }
        let results = try model.generate(prompts: tests.map { tokenizer.encode($0.word + "=") }, tokenizer: tokenizer,
                                         options: GenerationOptions(sampling: SamplingConfig(temperature: 0, maxNewTokens: 8, stopStrings: ["\n"])),
                                         rng: &rng)
        let correct = zip(tests, results).filter { $1.text == String($0.word.reversed()) + "\n" }.count
        #expect(correct >= 19, "\(correct)/20 reversed correctly")
    }

    @Test func scalarValueHeadFitsTargets() throws {
        var rng = SeededRNG(seed: 11)
        let config = GPT2Config(vocabSize: 32, contextLength: 16, dModel: 32, layers: 1, heads: 2)
        let actorCritic = PolicyWithValueHead(policy: try GPT2Model(config: config, rng: &rng), rng: &rng)
        let optimizer = AdamW(parameters: actorCritic.parameters, config: AdamWConfig(learningRate: 3e-3, weightDecay: 0))
        // Target at every position: the fraction of token 1 among the tokens so far (needs attention).
        func example() -> ([Int], [Float]) {
            let ids = (0..<8).map { _ in Int.random(in: 0..<2, using: &rng) }
            var ones = 0
            return (ids, ids.enumerated().map { t, id in ones += id; return Float(ones) / Float(t + 1) })
        }
        var first: Float = 0, last: Float = 0
        for step in 0..<300 {
            let examples = (0..<16).map { _ in example() }
            let batch = TokenBatch.rightPadded(examples.map(\.0))
            let (_, values) = try actorCritic(batch)
            let target = Tensor(shape: [16, 8], data: examples.flatMap(\.1))
            let loss = Tensor.mseLoss(values, target)
            optimizer.zeroGrad()
            loss.backward()
            optimizer.step()
            if step == 0 { first = loss.item }
            last = loss.item
        }
        #expect(last < 0.01 && last < first / 5, "MSE \(first) → \(last)")
        #expect(actorCritic.namedParameters.last?.name == "v_head.summary.bias")
    }

    @Test func archerCriticLearnsQAndV() throws {
        var rng = SeededRNG(seed: 5)
        let encoder = GPT2Config(vocabSize: 16, contextLength: 16, dModel: 32, layers: 1, heads: 2)
        let critic = try ArcherCritic(config: ArcherCriticConfig(encoder: encoder, headHiddenSize: 32), rng: &rng)
        let optimizer = AdamW(parameters: critic.parameters, config: AdamWConfig(learningRate: 3e-3, weightDecay: 0))
        // Q(s, a) = 1 when the action repeats the state's first token, else 0; V(s) = mean Q
        // under a uniform action over 4 tokens = 1/4, plus 0.5 when the state starts with 0.
        func batch(_ n: Int) -> ([[Int]], [[Int]], [Float], [Float]) {
            var states: [[Int]] = [], actions: [[Int]] = [], q: [Float] = [], v: [Float] = []
            for _ in 0..<n {
                let s = (0..<Int.random(in: 2...6, using: &rng)).map { _ in Int.random(in: 0..<4, using: &rng) }
                let a = [Bool.random(using: &rng) ? s[0] : Int.random(in: 0..<4, using: &rng)]
                states.append(s); actions.append(a)
                q.append(a[0] == s[0] ? 1 : 0)
                v.append(s[0] == 0 ? 0.75 : 0.25)
            }
            return (states, actions, q, v)
        }
        var firstLoss: Float = 0, lastLoss: Float = 0
        for step in 0..<250 {
            let (s, a, q, v) = batch(32)
            let out = try critic(states: s, actions: a)
            let qt = Tensor(shape: [32], data: q), vt = Tensor(shape: [32], data: v)
            let loss = Tensor.mseLoss(out.q1, qt) + Tensor.mseLoss(out.q2, qt) + Tensor.mseLoss(out.v1, vt) + Tensor.mseLoss(out.v2, vt)
            optimizer.zeroGrad()
            loss.backward()
            optimizer.step()
            if step == 0 { firstLoss = loss.item }
            lastLoss = loss.item
        }
        #expect(lastLoss < firstLoss / 4, "loss \(firstLoss) → \(lastLoss)")
        let out = try noGrad { try critic(states: [[2, 1, 3], [2, 1, 3], [0, 3]], actions: [[2], [1], [0]]) }
        let q1 = out.q1.toArray(), v1 = out.v1.toArray()
        #expect(q1[0] > q1[1] + 0.5, "Q(s, right) = \(q1[0]) vs Q(s, wrong) = \(q1[1])")
        #expect(v1[2] > v1[0] + 0.25, "V(starts with 0) = \(v1[2]) vs \(v1[0])")
    }

    @Test func targetCriticPolyakUpdate() throws {
        var rng = SeededRNG(seed: 1)
        let encoder = GPT2Config(vocabSize: 16, contextLength: 8, dModel: 16, layers: 1, heads: 2)
        let config = ArcherCriticConfig(encoder: encoder, headHiddenSize: 8)
        let critic = try ArcherCritic(config: config, rng: &rng)
        let target = try ArcherCritic(config: config, rng: &rng)
        let before = target.namedParameters.map { $0.tensor.toArray() }
        try target.updateTowards(critic, tau: 0.25)
        for ((_, t), ((_, c), b)) in zip(target.namedParameters, zip(critic.namedParameters, before)) {
            let tv = t.toArray(), cv = c.toArray()
            for i in tv.indices { #expect(abs(tv[i] - (0.25 * cv[i] + 0.75 * b[i])) < 1e-6) }
        }
        try target.updateTowards(critic, tau: 1)
        #expect(zip(target.parameters, critic.parameters).allSatisfy { $0.toArray() == $1.toArray() })
        let other = try ArcherCritic(config: ArcherCriticConfig(encoder: encoder, headHiddenSize: 4), rng: &rng)
        #expect(throws: PolicyModelsError.self) { try target.updateTowards(other, tau: 0.5) }
    }

    @Test func continuationScoresBackpropagate() throws {
        let model = try GPT2Checkpoint.load(folder: FixturePaths.url("tiny-gpt2")).model
        let scores = try model.continuationScores(prompts: [[1, 2, 3], [4]], continuations: [[5, 6], [7, 8, 9]])
        #expect(scores.mask.filter { $0 }.count == 5)
        // The policy-gradient surrogate −Σ log p + entropy bonus reaches every layer.
        let objective = -(scores.logProbs.sum()) - 0.01 * scores.entropy.sum()
        objective.backward()
        #expect(model.blocks[0].attnWeight.grad.map { $0.toArray().contains { $0 != 0 } } == true)
        let plain = try model.score(prompts: [[1, 2, 3], [4]], continuations: [[5, 6], [7, 8, 9]])
        #expect(plain.map(\.logProbs.count) == [2, 3])
        let fromTensor = scores.perContinuation(scores.logProbs)
        #expect(zip(plain.flatMap(\.logProbs), fromTensor.flatMap { $0 }).allSatisfy { abs($0 - $1) < 1e-5 })
    }
}
