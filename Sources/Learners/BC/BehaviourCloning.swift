import Foundation
import PolicyModels
import TensorCore
import Trajectories

/// Behaviour-cloning hyperparameters.
public struct BCConfig: Sendable, Equatable, Codable {
    /// AdamW step size. 1e-3: the PyTorch feasibility run cloned tool use into a 2-layer
    /// d128 byte GPT at this rate in ~3 minutes (also nanoGPT's rate for models this small).
    public var learningRate: Float = 1e-3
    /// Episode sequences per step (TurnRL's choice for 2 cores).
    public var batchSize: Int = 8
    /// Gradient steps of the warm start. The feasibility run saw copying appear after 600–900
    /// steps; on arith-python TurnRL's clone reached 20 % greedy test success after 800 steps and
    /// 34–35 % after 2,500 (the expert under the budget: 50 %), about 3.5 minutes on 2 idle cores.
    public var steps: Int = 2_500
    /// Expert episodes cloned (the demonstration budget). 200 and 2,000 gave the same success
    /// after 2,500 steps on arith-python (35 % and 34 %); with 200 the loss fell to 0.000
    /// (memorised), with 2,000 it stayed near the expert's own unpredictability (0.12).
    public var demonstrations: Int = 1_000
    /// Global gradient-norm clip (GPT-2/nanoGPT use 1.0).
    public var maxGradNorm: Float = 1.0
    /// Decoupled weight decay (0: cloning a few hundred episodes needs no regulariser here).
    public var weightDecay: Float = 0
    /// Filtered BC: the fraction of episodes kept, best returns first. 0.1 follows ArCHer's
    /// filtered-BC baseline (Zhou et al. 2024, §6: "top 10% trajectories").
    public var filterFraction: Double = 0.1
    /// Filtered BC: gradient steps after each batch of new episodes.
    public var stepsPerIteration: Int = 20

    public init() {}
}

/// Clones episodes: maximises the log-likelihood of the generated ids of every turn, averaged
/// over tokens. Turns of one episode are merged into a single sequence when each context extends
/// the previous one token-exactly (no compaction), so an episode costs one forward pass; other
/// turns are scored on their own.
public final class BehaviourCloning {
    public let policy: any TurnPolicy
    public let config: BCConfig
    public let optimizer: AdamW
    public private(set) var steps = 0

    public init(policy: any TurnPolicy, config: BCConfig) {
        self.policy = policy
        self.config = config
        optimizer = AdamW(parameters: policy.parameters, config: AdamWConfig(learningRate: config.learningRate, weightDecay: config.weightDecay))
    }

    /// The sequences an episode contributes: merged where its turns chain, weights 1 on the
    /// policy's own ids and 0 on observations.
    public static func sequences(_ episode: EpisodeRecordData) -> [WeightedSequence] {
        var out: [WeightedSequence] = []
        var current: WeightedSequence?
        for turn in episode.turns {
            if var sequence = current {
                let full = sequence.context + sequence.continuation
                if turn.contextTokens.count >= full.count, Array(turn.contextTokens.prefix(full.count)) == full {
                    let between = turn.contextTokens.suffix(from: full.count)
                    sequence.continuation += between + turn.generatedTokens
                    sequence.weights += [Float](repeating: 0, count: between.count) + [Float](repeating: 1, count: turn.generatedTokens.count)
                    current = sequence
                    continue
                }
                out.append(sequence)
            }
            current = WeightedSequence(context: turn.contextTokens, continuation: turn.generatedTokens, weight: 1)
        }
        if let current { out.append(current) }
        return out.filter { !$0.context.isEmpty && !$0.continuation.isEmpty }
    }

    /// One step on a minibatch; returns the mean negative log-likelihood per cloned token.
    @discardableResult
    public func step(_ batch: [WeightedSequence], learningRate: Float? = nil) throws -> Float {
        optimizer.zeroGrad()
        let pass = try backwardWeightedLogLikelihood(TurnPolicyScorer(policy), batch, scale: -1 / Float(max(weightedTokens(batch), 1)))
        clipGradientNorm(policy.parameters, maxNorm: config.maxGradNorm)
        optimizer.step(learningRate: learningRate)
        steps += 1
        return pass.loss
    }

    /// `steps` steps on minibatches drawn uniformly from `sequences`; calls `progress` after
    /// each with (step, loss).
    public func train(on sequences: [WeightedSequence], steps: Int, rng: inout SeededRNG, progress: (Int, Float) -> Void = { _, _ in }) throws {
        guard !sequences.isEmpty else { return }
        for k in 0..<steps {
            let batch = sampleIndices(config.batchSize, from: sequences.count, rng: &rng).map { sequences[$0] }
            progress(k, try step(batch))
        }
    }

    /// Filtered BC's selection (ArCHer's baseline): the top `fraction` of trainable episodes by
    /// return (at least one), ties in the order given.
    public static func topEpisodes(_ episodes: [PlayedEpisode], fraction: Double) -> [PlayedEpisode] {
        let trainable = episodes.filter(\.isTrainable)
        let keep = max(1, Int((Double(trainable.count) * fraction).rounded(.up)))
        return Array(trainable.enumerated().sorted {
            $0.element.episodeReturn != $1.element.episodeReturn ? $0.element.episodeReturn > $1.element.episodeReturn : $0.offset < $1.offset
        }.prefix(keep).map(\.element))
    }
}
