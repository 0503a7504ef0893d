import Foundation
import Testing
@testable import TensorCore

/// AdamW's saved state (moments + step count) continues training bit for bit, and the
/// generator's Codable form continues its stream.
@Suite struct AdamWStateTests {
    /// Fresh copies of the same two parameters, with an optimizer over them.
    private func model(seed: UInt64) -> (w: Tensor, b: Tensor, optimizer: AdamW) {
        var rng = SeededRNG(seed: seed)
        let w = Tensor.randn([8, 4], std: 0.3, rng: &rng, requiresGrad: true)
        let b = Tensor.randn([4], std: 0.3, rng: &rng, requiresGrad: true)
        return (w, b, AdamW(parameters: [w, b], config: AdamWConfig(learningRate: 1e-2, weightDecay: 0.1)))
    }

    /// One step on a fixed regression batch (`b` gets no gradient when `touchBias` is false).
    private func step(_ m: (w: Tensor, b: Tensor, optimizer: AdamW), touchBias: Bool = true) {
        var rng = SeededRNG(seed: 99)
        let x = Tensor.randn([16, 8], rng: &rng), y = Tensor.randn([16, 4], rng: &rng)
        m.optimizer.zeroGrad()
        let out = touchBias ? Tensor.matmul(x, m.w) + m.b : Tensor.matmul(x, m.w)
        Tensor.mseLoss(out, y).backward()
        m.optimizer.step()
    }

    private func path() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("adamw-\(UUID().uuidString).safetensors").path
    }

    @Test func restoredStateContinuesBitForBit() throws {
        let straight = model(seed: 1)
        for _ in 0..<5 { step(straight) }

        let first = model(seed: 1)
        for _ in 0..<3 { step(first) }
        let file = path()
        defer { try? FileManager.default.removeItem(atPath: file) }
        try first.optimizer.saveState(path: file, names: [("w", first.w), ("b", first.b)])
        // A new process: weights reloaded, a fresh optimizer given the saved state.
        let resumed = model(seed: 2)
        resumed.w.copyValues(from: first.w); resumed.b.copyValues(from: first.b)
        try resumed.optimizer.loadState(path: file, names: [("b", resumed.b), ("w", resumed.w)])
        #expect(resumed.optimizer.stepCount == 3)
        for _ in 0..<2 { step(resumed) }
        #expect(resumed.w.toArray() == straight.w.toArray())
        #expect(resumed.b.toArray() == straight.b.toArray())

        // Without the state the moments restart: the weights differ (so the check above can fail).
        let restarted = model(seed: 2)
        restarted.w.copyValues(from: first.w); restarted.b.copyValues(from: first.b)
        for _ in 0..<2 { step(restarted) }
        #expect(restarted.w.toArray() != straight.w.toArray())
    }

    @Test func fileLayoutUsesNamesAndStepMetadata() throws {
        let m = model(seed: 3)
        step(m, touchBias: false)  // b never updated: it has no moments yet
        let file = path()
        defer { try? FileManager.default.removeItem(atPath: file) }
        try m.optimizer.saveState(path: file, names: [("layer.weight", m.w), ("layer.bias", m.b)])
        let saved = try SafeTensors.load(path: file)
        #expect(Set(saved.tensors.keys) == ["layer.weight.exp_avg", "layer.weight.exp_avg_sq"])
        #expect(saved.tensors["layer.weight.exp_avg"]?.shape == [8, 4])
        #expect(saved.metadata["step"] == "1")
    }

    @Test func stateOfAnotherModelIsRefused() throws {
        let m = model(seed: 4)
        step(m)
        let file = path()
        defer { try? FileManager.default.removeItem(atPath: file) }
        try m.optimizer.saveState(path: file, names: [("w", m.w), ("b", m.b)])
        // Same names, other sizes.
        let w = Tensor.zeros([2, 2], requiresGrad: true), b = Tensor.zeros([4], requiresGrad: true)
        let other = AdamW(parameters: [w, b])
        #expect(throws: TensorError.self) { try other.loadState(path: file, names: [("w", w), ("b", b)]) }
        // Moments for a name the optimizer does not train.
        let only = AdamW(parameters: [b])
        #expect(throws: TensorError.self) { try only.loadState(path: file, names: [("b", b)]) }
    }

    @Test func generatorRoundTripsThroughJSON() throws {
        var rng = SeededRNG(seed: 0xDEAD_BEEF_CAFE_F00D)
        for _ in 0..<7 { _ = rng.next() }
        _ = rng.nextGaussian()  // leaves a spare normal in the state
        var copy = try JSONDecoder().decode(SeededRNG.self, from: JSONEncoder().encode(rng))
        #expect(copy.nextGaussian() == rng.nextGaussian())
        #expect((0..<16).map { _ in copy.next() } == (0..<16).map { _ in rng.next() })
    }
}
