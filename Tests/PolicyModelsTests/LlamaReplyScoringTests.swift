import Testing
import TensorCore
@testable import PolicyModels

/// `replyScores` encodes the prompt once without a graph: its numbers must be those of the
/// whole-sequence path, and its gradients those of the whole-sequence path wherever the
/// prompt's keys and values do not depend on the parameter.
struct LlamaReplyScoringTests {
    // Prompts of different lengths (one of a single token: nothing to encode ahead), replies of
    // different lengths, so both paddings are exercised.
    static let prompts = [[5, 9, 2, 7, 11, 3], [3, 1], [8]]
    static let continuations = [[4, 4, 8], [6], [2, 9]]

    @Test func scoresEqualTheWholeSequencePath() throws {
        let model = try LoRATests.model()
        let whole = try noGrad { try model.continuationScores(prompts: Self.prompts, continuations: Self.continuations) }
        let replies = try noGrad { try model.replyScores(prompts: Self.prompts, continuations: Self.continuations) }
        let wholeRows = whole.scoredContinuations, replyRows = replies.scoredContinuations
        #expect(replyRows.map(\.logProbs.count) == [3, 1, 2])
        for (w, r) in zip(wholeRows, replyRows) {
            for (a, b) in zip(w.logProbs, r.logProbs) { #expect(abs(a - b) <= 1e-5) }
            for (a, b) in zip(w.entropies, r.entropies) { #expect(abs(a - b) <= 1e-5) }
        }
    }

    /// Without adapters on the key and value projections, the last layer's prompt keys and
    /// values come from the layers below it and the frozen base, so they do not depend on that
    /// layer's adapters: the reply path's gradient for them is the exact one.
    @Test func lastLayerGradientsEqualTheWholeSequencePath() throws {
        func lastLayerGradients(_ score: (LlamaModel) throws -> ContinuationScores) throws -> [[Float]] {
            let model = try LoRATests.model(targets: [.qProj, .oProj, .gateProj, .upProj, .downProj])
            let scores = try score(model)
            ((scores.logProbs + scores.entropy) * scores.maskTensor).sum().backward()
            let last = model.config.layers - 1
            return model.loraAdapters.filter { $0.layer == last }.flatMap { [$0.adapter.a.grad!.toArray(), $0.adapter.b.grad!.toArray()] }
        }
        let whole = try lastLayerGradients { try $0.continuationScores(prompts: Self.prompts, continuations: Self.continuations) }
        let replies = try lastLayerGradients { try $0.replyScores(prompts: Self.prompts, continuations: Self.continuations) }
        #expect(whole.count == 10)
        for (w, r) in zip(whole, replies) {
            let scale = w.map(abs).max() ?? 0
            #expect(scale > 0)
            for (a, b) in zip(w, r) { #expect(abs(a - b) <= 1e-5 + 1e-4 * scale) }
        }
    }

    @Test func badInputIsRejectedLikeTheWholeSequencePath() throws {
        let model = try LoRATests.model()
        #expect(throws: PolicyModelsError.self) { try model.replyScores(prompts: [[]], continuations: [[1]]) }
        #expect(throws: PolicyModelsError.self) { try model.replyScores(prompts: [[1, 999]], continuations: [[1]]) }
        #expect(throws: PolicyModelsError.self) { try model.replyScores(prompts: [[1]], continuations: [[1], [2]]) }
    }
}
