import Foundation
import PolicyModels
import TensorCore

/// PPO's critic: a GPT-2 trunk with a scalar value head (`PolicyWithValueHead`), reading the
/// same (context, utterance) sequences as the policy and giving a value at every generated
/// token, aligned with the policy's `ContinuationScores`: the entry that scores token i holds
/// V of the state just before token i.
///
/// It is a separate network from the policy (as in verl's and OpenRLHF's PPO), so PPO works
/// with any `ScoringPolicy`; `init(copying:)` starts its trunk from the policy's weights.
public final class TokenCritic: @unchecked Sendable {
    public let network: PolicyWithValueHead

    public init(network: PolicyWithValueHead) { self.network = network }

    /// A critic whose trunk is a copy of `model` (the usual start from the SFT/BC policy) and
    /// whose value head is fresh.
    public convenience init(copying model: GPT2Model, rng: inout SeededRNG) throws {
        let trunk = try GPT2Model(config: model.config, rng: &rng)
        for (target, source) in zip(trunk.parameters, model.parameters) { target.copyValues(from: source) }
        self.init(network: PolicyWithValueHead(policy: trunk, rng: &rng))
    }

    public var parameters: [Tensor] { network.parameters }

    /// Values `[B, T]` at the continuation tokens (0 elsewhere) and their layout, in the graph.
    func values(contexts: [[Int32]], continuations: [[Int32]]) throws -> (values: Tensor, layout: TokenLayout) {
        let batch = TokenBatch.rightPadded(zip(contexts, continuations).map { ($0 + $1).map(Int.init) })
        let layout = TokenLayout(contextLengths: contexts.map(\.count), continuationLengths: continuations.map(\.count))
        let values = network.valueHead(try network.policy.hiddenStates(batch))
        return (values * layout.maskTensor, layout)
    }

    /// Per-token values without autograd, `batchSize` pairs at a time.
    func detachedValues(contexts: [[Int32]], continuations: [[Int32]], batchSize: Int) throws -> [[Float]] {
        try noGrad {
            try batches(of: contexts.count, size: batchSize).flatMap { range in
                let (values, layout) = try values(contexts: Array(contexts[range]), continuations: Array(continuations[range]))
                return layout.perContinuation(values)
            }
        }
    }

    /// Saves the critic's weights as `fileName` (PPO's `value_critic.safetensors`) in `folder`
    /// (TRL's names: `transformer.*` for the trunk, `v_head.summary.*` for the head), for `--resume`.
    public func save(to folder: URL, fileName: String = TokenCritic.fileName) throws {
        var tensors: [String: Tensor] = [:]
        for (key, t) in network.namedParameters { tensors[key] = t }
        try SafeTensors.save(tensors, path: folder.appendingPathComponent(fileName).path)
    }

    /// Restores what `save(to:fileName:)` wrote into this critic (same trunk configuration).
    public func load(from folder: URL, fileName: String = TokenCritic.fileName) throws {
        let file = try SafeTensors.load(path: folder.appendingPathComponent(fileName).path)
        for (key, t) in network.namedParameters { t.copyValues(from: try file.tensor(key)) }
    }

    public static let fileName = "value_critic.safetensors"
}
