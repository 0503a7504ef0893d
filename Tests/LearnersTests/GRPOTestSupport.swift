import PolicyModels
import TensorCore
@testable import Learners

/// A tiny GPT-2 as a policy for the learner tests: one token per utterance.
final class ToyPolicy: ScoringPolicy {
    let model: GPT2Model
    /// The activation budget the learners split minibatches by (unlimited unless a test sets it).
    var tokensPerForward = Int.max

    init(vocabularySize: Int, seed: UInt64) throws {
        var rng = SeededRNG(seed: seed)
        model = try GPT2Model(config: GPT2Config(vocabSize: vocabularySize, contextLength: 8, dModel: 16, layers: 1, heads: 2),
                              rng: &rng)
    }

    var parameters: [Tensor] { model.parameters }

    func continuationScores(contexts: [[Int32]], continuations: [[Int32]]) throws -> ContinuationScores {
        try model.continuationScores(prompts: contexts.map { $0.map(Int.init) }, continuations: continuations.map { $0.map(Int.init) })
    }

    /// One next token per context: sampled from the policy, or its most likely token.
    func nextToken(_ contexts: [[Int32]], greedy: Bool, rng: inout SeededRNG) throws -> [Int32] {
        let batch = TokenBatch.rightPadded(contexts.map { $0.map(Int.init) })
        let probabilities = try noGrad { try model.logits(batch).softmax() }.toArray()
        let v = model.config.vocabSize
        return contexts.indices.map { b in
            let row = Array(probabilities[((b * batch.length) + contexts[b].count - 1) * v..<((b * batch.length) + contexts[b].count) * v])
            if greedy { return Int32(row.indices.max { row[$0] < row[$1] }!) }
            var u = rng.nextFloat()
            for (id, p) in row.enumerated() {
                u -= p
                if u < 0 { return Int32(id) }
            }
            return Int32(v - 1)
        }
    }
}

/// A two-turn task with a known optimal policy. Task t (the first context token, 1 or 2)
/// has two keys; turn 1 answers the first, the environment echoes a separator (7), turn 2
/// answers the second. The reward comes only at the end: ½ per correct key. Random play
/// (8 tokens) scores 1/8 on average; the optimal policy scores 1.
enum TwoKeyTask {
    static let vocabularySize = 8
    static let tasks: [Int32] = [1, 2]
    static let separator: Int32 = 7
    static func keys(_ task: Int32) -> (Int32, Int32) { task == 1 ? (3, 5) : (4, 6) }

    /// One episode per (task, copy): `groupSize` episodes of each task, grouped by task.
    static func play(_ policy: ToyPolicy, groupSize: Int, greedy: Bool = false, rng: inout SeededRNG) throws -> [[EpisodeSample]] {
        let starts = tasks.flatMap { [Int32](repeating: $0, count: groupSize) }
        let first = try policy.nextToken(starts.map { [$0] }, greedy: greedy, rng: &rng)
        let secondContexts = zip(starts, first).map { [$0, $1, separator] }
        let second = try policy.nextToken(secondContexts, greedy: greedy, rng: &rng)
        let episodes = starts.indices.map { i in
            let (k1, k2) = keys(starts[i])
            let reward: Float = (first[i] == k1 ? 0.5 : 0) + (second[i] == k2 ? 0.5 : 0)
            return EpisodeSample(turns: [
                TurnSample(context: [starts[i]], utterance: [first[i]], reward: 0),
                TurnSample(context: secondContexts[i], utterance: [second[i]], reward: reward),
            ])
        }
        return tasks.indices.map { Array(episodes[$0 * groupSize..<($0 + 1) * groupSize]) }
    }

    /// Mean return of greedy play over both tasks.
    static func greedyReturn(_ policy: ToyPolicy) throws -> Float {
        var rng = SeededRNG(seed: 0)
        let groups = try play(policy, groupSize: 1, greedy: true, rng: &rng)
        return groups.joined().reduce(0) { $0 + $1.totalReward } / Float(tasks.count)
    }
}
