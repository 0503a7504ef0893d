import TensorCore

/// Sizes of the ArCHer critic. Defaults: a 2-layer, 128-wide GPT-2 encoder and 256-wide heads,
/// a scaled-down version of ArCHer's RoBERTa-base encoder + 3-layer MLP heads (Zhou et al.
/// 2024, "ArCHer", §4 and App. C), small enough to train next to the policy on a CPU.
public struct ArcherCriticConfig: Sendable, Equatable {
    /// The encoder that reads observations and actions.
    public var encoder: GPT2Config
    /// Width of the hidden layers of every Q and V head.
    public var headHiddenSize: Int

    public init(encoder: GPT2Config = GPT2Config(vocabSize: 512, contextLength: 256, dModel: 128, layers: 2, heads: 4),
                headHiddenSize: Int = 256) {
        self.encoder = encoder
        self.headHiddenSize = headHiddenSize
    }
}

/// ArCHer's utterance-level critic as a network separate from the policy: a small transformer
/// encodes the state (the context before a turn) and the action (the utterance) separately,
/// each mean-pooled over its real tokens; two Q heads read [pool(s), pool(a)] and two V heads
/// read pool(s) (clipped double-Q and double-V, as in ArCHer's implementation).
public final class ArcherCritic: @unchecked Sendable {
    public let config: ArcherCriticConfig
    public let encoder: GPT2Model
    public let q1: MLP, q2: MLP, v1: MLP, v2: MLP

    public init(config: ArcherCriticConfig = ArcherCriticConfig(), rng: inout SeededRNG) throws(PolicyModelsError) {
        self.config = config
        encoder = try GPT2Model(config: config.encoder, rng: &rng)
        let d = config.encoder.dModel, h = config.headHiddenSize
        q1 = MLP(sizes: [2 * d, h, h, 1], prefix: "q1", rng: &rng)
        q2 = MLP(sizes: [2 * d, h, h, 1], prefix: "q2", rng: &rng)
        v1 = MLP(sizes: [d, h, h, 1], prefix: "v1", rng: &rng)
        v2 = MLP(sizes: [d, h, h, 1], prefix: "v2", rng: &rng)
    }

    /// Encoder parameters (prefixed `encoder.`) and the four heads'. The encoder's output
    /// projection is unused (the critic never predicts tokens), so tied embeddings are the
    /// only embedding parameters.
    public var namedParameters: [(name: String, tensor: Tensor)] {
        encoder.namedParameters.map { ("encoder.\($0.name)", $0.tensor) }
            + q1.namedParameters + q2.namedParameters + v1.namedParameters + v2.namedParameters
    }

    public var parameters: [Tensor] { namedParameters.map(\.tensor) }

    /// Mean of the encoder's final hidden states over each sequence's real tokens: `[B, D]`.
    public func pooled(_ sequences: [[Int]]) throws(PolicyModelsError) -> Tensor {
        for (i, s) in sequences.enumerated() where s.isEmpty {
            throw .invalidConfiguration("critic input \(i) is empty; encode at least one token")
        }
        let batch = TokenBatch.rightPadded(sequences)
        let hidden = try encoder.hiddenStates(batch)
        var weights = [Float](repeating: 0, count: batch.ids.count)
        for b in 0..<batch.batchSize {
            let w = 1 / Float(batch.lengths[b])
            for t in 0..<batch.lengths[b] { weights[b * batch.length + t] = w }
        }
        let w = Tensor(shape: [batch.batchSize, batch.length, 1], data: weights)
        return (hidden * w).sum(axis: 1)
    }

    /// Q₁(s, a), Q₂(s, a), V₁(s), V₂(s), each `[B]`, for states and actions given as token ids.
    public func callAsFunction(states: [[Int]], actions: [[Int]]) throws(PolicyModelsError)
        -> (q1: Tensor, q2: Tensor, v1: Tensor, v2: Tensor)
    {
        guard states.count == actions.count else {
            throw .invalidConfiguration("\(states.count) states but \(actions.count) actions")
        }
        let s = try pooled(states), a = try pooled(actions)
        let sa = Tensor.concat([s, a], axis: 1)
        let n = states.count
        return (q1(sa).reshaped([n]), q2(sa).reshaped([n]), v1(s).reshaped([n]), v2(s).reshaped([n]))
    }

    /// V₁(s), V₂(s) only (ArCHer's target for Q and the actor's baseline).
    public func values(states: [[Int]]) throws(PolicyModelsError) -> (v1: Tensor, v2: Tensor) {
        let s = try pooled(states)
        return (v1(s).reshaped([states.count]), v2(s).reshaped([states.count]))
    }

    /// Moves every parameter a fraction `tau` towards `source`'s (Polyak averaging for ArCHer's
    /// target critic, θ' ← τθ + (1−τ)θ'); `tau` = 1 copies. Same configuration required.
    public func updateTowards(_ source: ArcherCritic, tau: Float) throws(PolicyModelsError) {
        guard source.config == config else {
            throw .invalidConfiguration("target critic and critic have different configurations")
        }
        for ((_, target), (_, from)) in zip(namedParameters, source.namedParameters) {
            target.withUnsafeMutableBufferPointer { t in
                from.withUnsafeBufferPointer { f in
                    for i in 0..<t.count { t[i] = tau * f[i] + (1 - tau) * t[i] }
                }
            }
        }
    }
}
