import TensorCore
import Testing
@testable import Learners

/// The likelihood pass BC and ArCHer's actor share: split into micro-batches, it must add the
/// same gradient as one forward over the whole batch.
@Suite struct WeightedLogLikelihoodTests {
    @Test func microBatchesAddTheWholeBatchGradient() throws {
        let batch = [
            WeightedSequence(context: [1, 2], continuation: [3], weight: 1),
            WeightedSequence(context: [4], continuation: [5, 6], weights: [0.5, -2]),
            WeightedSequence(context: [2, 3, 4], continuation: [1], weight: 0),
            WeightedSequence(context: [6], continuation: [7], weight: -1),
        ]
        func gradients(tokensPerForward: Int) throws -> (grads: [Float], loss: Float) {
            let policy = try ToyPolicy(vocabularySize: 8, seed: 11)
            policy.tokensPerForward = tokensPerForward
            let pass = try backwardWeightedLogLikelihood(policy, batch, scale: -0.25)
            #expect(pass.scoredTokens == 5)
            return (policy.parameters.flatMap { $0.grad?.toArray() ?? [] }, pass.loss)
        }
        let whole = try gradients(tokensPerForward: .max)
        let split = try gradients(tokensPerForward: 4)  // at most one sequence (3–4 tokens) per forward
        #expect(whole.grads.contains { $0 != 0 })
        #expect(whole.grads.count == split.grads.count)
        #expect(abs(whole.loss - split.loss) <= 1e-5 * max(1, abs(whole.loss)))
        for (a, b) in zip(whole.grads, split.grads) { #expect(abs(a - b) <= 1e-6 + 1e-4 * abs(a)) }
    }
}
