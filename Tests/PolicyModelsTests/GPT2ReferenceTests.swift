import Foundation
import Testing
import TensorCore
@testable import PolicyModels

/// The tiny random GPT-2 against PyTorch/transformers (Tests/Fixtures/PolicyModels/make_gpt2_fixture.py).
struct GPT2ReferenceTests {
    static func reference() throws -> SafeTensors.File {
        try SafeTensors.load(path: FixturePaths.url("tiny-gpt2-reference.safetensors").path)
    }

    /// The fixture's batch: ids, mask and labels were saved as int64, read back as Float32.
    static func batch(_ ref: SafeTensors.File) throws -> (TokenBatch, [Int]) {
        let ids = try ref.tensor("input_ids").toArray().map { Int($0) }
        let mask = try ref.tensor("attention_mask").toArray().map { $0 != 0 }
        let shape = try ref.tensor("input_ids").shape
        let rows = (0..<shape[0]).map { b in
            (0..<shape[1]).filter { mask[b * shape[1] + $0] }.map { ids[b * shape[1] + $0] }
        }
        return (TokenBatch.rightPadded(rows), try ref.tensor("labels").toArray().map { Int($0) })
    }

    /// max |a - b| / max(max |b|, tiny): the relative error over a whole tensor.
    static func relativeError(_ a: [Float], _ b: [Float]) -> Float {
        precondition(a.count == b.count)
        var diff: Float = 0, scale: Float = 1e-12
        for i in a.indices {
            diff = max(diff, abs(a[i] - b[i]))
            scale = max(scale, abs(b[i]))
        }
        return diff / scale
    }

    @Test func loadsTheCheckpointFolder() throws {
        let checkpoint = try GPT2Checkpoint.load(folder: FixturePaths.url("tiny-gpt2"))
        let config = checkpoint.model.config
        #expect(config == GPT2Config(vocabSize: 512, contextLength: 64, dModel: 64, layers: 2, heads: 4))
        #expect(checkpoint.tokenizer?.vocabularySize == 512)
        #expect(checkpoint.model.parameterCount == 512 * 64 + 64 * 64 + 2 * (12 * 64 * 64 + 13 * 64) + 2 * 64)
    }

    @Test func logitsMatchPyTorch() throws {
        let model = try GPT2Checkpoint.load(folder: FixturePaths.url("tiny-gpt2")).model
        let ref = try Self.reference()
        let (batch, _) = try Self.batch(ref)
        let logits = try noGrad { try model.logits(batch) }
        let expected = try ref.tensor("logits")
        #expect(logits.shape == expected.shape)
        // Padded positions attend to nothing real in HF either; compare the real positions.
        let v = model.config.vocabSize
        var ours: [Float] = [], theirs: [Float] = []
        let a = logits.toArray(), e = expected.toArray()
        for (i, real) in batch.mask.enumerated() where real {
            ours += a[(i * v)..<((i + 1) * v)]
            theirs += e[(i * v)..<((i + 1) * v)]
        }
        let error = Self.relativeError(ours, theirs)
        #expect(error < 1e-4, "relative error \(error)")
        #expect(theirs.map(abs).max()! > 0.5)  // the fixture's logits are far from trivial
    }

    @Test func gradientsMatchPyTorch() throws {
        let model = try GPT2Checkpoint.load(folder: FixturePaths.url("tiny-gpt2")).model
        let ref = try Self.reference()
        let (batch, labels) = try Self.batch(ref)
        let loss = try model.languageModelLoss(batch)
        let expectedLoss = try ref.tensor("loss").item
        #expect(abs(loss.item - expectedLoss) / expectedLoss < 1e-5, "loss \(loss.item) vs \(expectedLoss)")
        // Our targets are the fixture's shifted labels.
        let t = batch.length
        let shifted = (0..<labels.count).map { i in i % t == t - 1 ? -100 : labels[i + 1] }
        #expect(GPT2Model.nextTokenTargets(batch) == shifted)
        loss.backward()
        let parameters = Dictionary(uniqueKeysWithValues: model.namedParameters.map { ($0.name, $0.tensor) })
        var checked = 0
        for (name, expected) in ref.tensors where name.hasPrefix("grad.") {
            let parameterName = String(name.dropFirst("grad.".count))
            let grad = try #require(parameters[parameterName]?.grad, "no gradient for \(parameterName)")
            let error = Self.relativeError(grad.toArray(), expected.toArray())
            #expect(error < 1e-4, "\(parameterName): relative error \(error)")
            checked += 1
        }
        #expect(checked == 10)
    }

    @Test func savedCheckpointReloadsIdentically() throws {
        let checkpoint = try GPT2Checkpoint.load(folder: FixturePaths.url("tiny-gpt2"))
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("turnrl-gpt2-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try GPT2Checkpoint.save(checkpoint.model, tokenizer: checkpoint.tokenizer, to: folder)
        let again = try GPT2Checkpoint.load(folder: folder)
        #expect(again.model.config == checkpoint.model.config)
        for ((n1, a), (n2, b)) in zip(checkpoint.model.namedParameters, again.model.namedParameters) {
            #expect(n1 == n2)
            #expect(a.toArray() == b.toArray(), "\(n1)")
        }
        #expect(again.tokenizer?.encode("the agent's tool") == checkpoint.tokenizer?.encode("the agent's tool"))
    }

    @Test func rejectsAMismatchedCheckpoint() throws {
        let config = GPT2Config(vocabSize: 512, contextLength: 64, dModel: 32, layers: 2, heads: 4)
        var rng = SeededRNG(seed: 1)
        let model = try GPT2Model(config: config, rng: &rng)
        let file = try SafeTensors.load(path: FixturePaths.url("tiny-gpt2/model.safetensors").path)
        #expect(throws: PolicyModelsError.parameterMismatch(name: "transformer.wte.weight", expected: [512, 32], found: [512, 64])) {
            try model.loadWeights(file.tensors)
        }
    }
}
