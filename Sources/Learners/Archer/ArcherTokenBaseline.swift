import TensorCore

/// The token-level baseline variant of ArCHer's actor (`ArcherConfig.tokenBaseline`).
///
/// The reference actor gives every token of an utterance the same advantage, Q(s,a) − V(s), so
/// a token that decided the utterance's fate and a token written after it was sealed get the
/// same credit. Here a value network b reads the context and the utterance's tokens so far and
/// regresses, at every position, onto the critic's Q(s,a) of the whole utterance; b(s, a_<t)
/// then estimates E[Q | the first t−1 tokens]. Token t's advantage Q(s,a) − b(s, a_<t) is near
/// zero once the tokens before t already fixed the utterance's value, so the credit goes to the
/// tokens up to the one that decided it. Since b never sees token t, the policy gradient stays
/// unbiased.
extension ArcherTrainer {
    /// A regression step of the baseline alone, on states from the buffer and fresh
    /// utterances, for the critic-only warm-up: the actor's first advantages then come from a
    /// baseline that has seen data, as they come from a critic that has. Does nothing without
    /// a baseline. Returns the tokens the baseline trained on.
    @discardableResult
    public func warmUpTokenBaseline(rng: inout SeededRNG) throws -> Int {
        guard tokenBaseline != nil else { return 0 }
        let states = replay.sample(config.batchSize, using: &rng).map(\.context)
        guard !states.isEmpty else { return 0 }
        let actions = try sampleActions(states, rng: &rng)
        _ = try baselineStep(states: states, actions: actions, targets: criticValues(states: states, actions: actions).q)
        return zip(states, actions).reduce(0) { $0 + $1.0.count + $1.1.count }
    }

    /// One regression step of the baseline towards `targets` (one per utterance, the same at
    /// each of its tokens): loss ½·mean over tokens of (b − target)². Returns target − b per
    /// token, with b as it was before the step.
    func baselineStep(states: [[Int32]], actions: [[Int32]], targets: [Float]) throws -> [[Float]] {
        guard let tokenBaseline, let baselineOptimizer else { preconditionFailure("no token-level baseline") }
        let (values, layout) = try tokenBaseline.values(contexts: states, continuations: actions)
        let before = layout.perContinuation(values)
        let loss = 0.5 * ((values - layout.aligned(perContinuation: targets)).square() * layout.maskTensor).sum()
            / Float(max(1, layout.tokenCount))
        baselineOptimizer.zeroGrad()
        loss.backward()
        clipGradientNorm(tokenBaseline.parameters, maxNorm: config.maxGradNorm)
        baselineOptimizer.step()
        return zip(before, targets).map { b, q in b.map { q - $0 } }
    }
}
