import Foundation
import Testing
import TensorCore
@testable import PolicyModels

/// LoRA on a tiny random Llama: gradients of both factors match central finite differences,
/// the base stays frozen, a fresh adapter changes nothing, and adapters survive a PEFT save/load.
struct LoRATests {
    static let batch = TokenBatch.rightPadded([Array("lora grads".utf8).map(Int.init), Array("ok 7".utf8).map(Int.init)])

    /// A tiny model with adapters whose B factors are random (a fresh B is zero, which would
    /// make every A gradient zero and the check vacuous).
    static func model(targets: [LoRATarget] = LoRATarget.allCases) throws -> LlamaModel {
        var rng = SeededRNG(seed: 11)
        let model = try LlamaModel(config: .tiny, rng: &rng)
        try model.attachLoRA(LoRAConfig(rank: 4, alpha: 8, targets: targets), rng: &rng)
        for (_, _, adapter) in model.loraAdapters {
            adapter.b.withUnsafeMutableBufferPointer { b in for i in b.indices { b[i] = 0.05 * rng.nextGaussian() } }
        }
        return model
    }

    @Test func gradientsMatchFiniteDifferences() throws {
        let model = try Self.model()
        let loss = try model.languageModelLoss(Self.batch)
        loss.backward()
        for (_, t) in model.namedParameters { #expect(t.grad == nil) }
        var checked = 0
        for (layer, target, adapter) in model.loraAdapters where layer == 1 || target == .qProj || target == .kProj {
            for factor in [adapter.a, adapter.b] {
                let analytic = factor.grad!.toArray()
                for i in [0, factor.count / 3, factor.count - 1] {
                    let original = factor.toArray()[i]
                    func lossAt(_ v: Float) throws -> Float {
                        factor.withUnsafeMutableBufferPointer { $0[i] = v }
                        return try noGrad { try model.languageModelLoss(Self.batch) }.item
                    }
                    let h: Float = 5e-3
                    let numeric = (try lossAt(original + h) - lossAt(original - h)) / (2 * h)
                    factor.withUnsafeMutableBufferPointer { $0[i] = original }
                    #expect(abs(numeric - analytic[i]) <= 3e-3 + 0.03 * abs(analytic[i]),
                            "layer \(layer) \(target.rawValue) [\(i)]: numeric \(numeric) vs analytic \(analytic[i])")
                    checked += 1
                }
            }
        }
        #expect(checked >= 40)
    }

    @Test func parametersAreTheAdaptersAndAFreshAdapterChangesNothing() throws {
        var rng = SeededRNG(seed: 11)
        let model = try LlamaModel(config: .tiny, rng: &rng)
        let before = try noGrad { try model.logits(Self.batch) }.toArray()
        try model.attachLoRA(LoRAConfig(rank: 2, alpha: 4, targets: [.qProj, .vProj]), rng: &rng)
        #expect(model.parameters.count == 2 * 2 * model.config.layers)
        // q: A [2, 64] + B [64, 2]; v: A [2, 64] + B [32, 2] (two KV heads of 16).
        #expect(model.parameterCount == model.config.layers * ((2 * 64 + 64 * 2) + (2 * 64 + 32 * 2)))
        let after = try noGrad { try model.logits(Self.batch) }.toArray()
        #expect(before == after)
    }

    @Test func savedAdaptersUsePEFTNamesAndLoadBack() throws {
        let model = try Self.model(targets: [.qProj, .kProj, .downProj])
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lora-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let config = LoRAConfig(rank: 4, alpha: 8, targets: [.qProj, .kProj, .downProj])
        try LoRACheckpoint.save(model, config: config, to: folder)
        let file = try SafeTensors.load(path: folder.appendingPathComponent("adapter_model.safetensors").path)
        #expect(file.tensors["base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight"]?.shape == [4, 64])
        #expect(file.tensors["base_model.model.model.layers.1.self_attn.k_proj.lora_B.weight"]?.shape == [32, 4])
        #expect(file.tensors["base_model.model.model.layers.1.mlp.down_proj.lora_B.weight"]?.shape == [64, 4])
        #expect(file.tensors.count == 2 * 3 * 2)
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("adapter_config.json"))) as! [String: Any]
        #expect(json["peft_type"] as? String == "LORA")
        #expect(json["r"] as? Int == 4)
        #expect(json["target_modules"] as? [String] == ["q_proj", "k_proj", "down_proj"])

        var rng = SeededRNG(seed: 11)
        let fresh = try LlamaModel(config: .tiny, rng: &rng)
        let loaded = try LoRACheckpoint.load(into: fresh, from: folder)
        #expect(loaded == config)
        let a = try noGrad { try model.logits(Self.batch) }.toArray()
        let b = try noGrad { try fresh.logits(Self.batch) }.toArray()
        #expect(zip(a, b).map { abs($0 - $1) }.max()! < 1e-6)
        // q/k B rows are stored in HF's half-split order: row 1 of HF head 0 is GGUF row 2.
        let ggufB = model.layers[0].q.lora!.b.toArray(), hfB = file.tensors["base_model.model.model.layers.0.self_attn.q_proj.lora_B.weight"]!.toArray()
        #expect(Array(hfB[4..<8]) == Array(ggufB[8..<12]))
        #expect(Array(hfB[(8 * 4)..<(8 * 4 + 4)]) == Array(ggufB[4..<8]))
    }

    /// Continuation scoring puts only the scored rows through the output head; its log-probs,
    /// entropies and adapter gradients equal those read off full `[B, T, vocab]` logits.
    @Test func continuationScoresMatchTheFullLogitsPath() throws {
        let model = try Self.model()
        let prompts = [[5, 9, 2, 7], [3, 1]], continuations = [[4, 4, 8], [6]]
        let layout = try ContinuationLayout(prompts: prompts, continuations: continuations)

        let fast = try model.continuationScores(prompts: prompts, continuations: continuations)
        ((fast.logProbs + fast.entropy) * fast.maskTensor).sum().backward()
        let fastGrads = model.loraParameters.map { $0.grad!.toArray() }
        for p in model.loraParameters { p.zeroGrad() }

        let logits = try model.logits(layout.batch)
        let fullLogProbs = Tensor.tokenLogProbs(logits, targets: layout.targets) * fast.maskTensor
        let fullEntropy = logits.softmaxEntropy() * fast.maskTensor
        (fullLogProbs + fullEntropy).sum().backward()
        let fullGrads = model.loraParameters.map { $0.grad!.toArray() }

        for (a, b) in zip(fast.logProbs.toArray(), fullLogProbs.toArray()) { #expect(abs(a - b) <= 1e-5) }
        for (a, b) in zip(fast.entropy.toArray(), fullEntropy.toArray()) { #expect(abs(a - b) <= 1e-5) }
        #expect(fast.logProbs.toArray().filter { $0 != 0 }.count == 4)
        for (fastGrad, fullGrad) in zip(fastGrads, fullGrads) {
            let scale = fullGrad.map(abs).max() ?? 0
            #expect(scale > 0)
            for (a, b) in zip(fastGrad, fullGrad) { #expect(abs(a - b) <= 1e-5 + 1e-4 * scale) }
        }
    }
}
