import TensorCore

/// A small multilayer perceptron: Linear → ReLU → … → Linear to one output, `nn.Linear` layout
/// (`[out, in]` weights) and names `<prefix>.<k>.weight` as `nn.Sequential` would write them.
public final class MLP: @unchecked Sendable {
    public let weights: [Tensor]
    public let biases: [Tensor]
    let prefix: String

    /// `sizes` = [input, hidden…, output]. Kaiming-uniform-like init scaled for ReLU
    /// (He et al. 2015), zero biases; the last layer is scaled down so outputs start near 0.
    public init(sizes: [Int], prefix: String, rng: inout SeededRNG) {
        precondition(sizes.count >= 2, "MLP needs at least an input and an output size")
        var weights: [Tensor] = [], biases: [Tensor] = []
        for i in 0..<(sizes.count - 1) {
            let last = i == sizes.count - 2
            let std = (2 / Float(sizes[i])).squareRoot() * (last ? 0.1 : 1)
            weights.append(.randn([sizes[i + 1], sizes[i]], std: std, rng: &rng, requiresGrad: true))
            biases.append(.zeros([sizes[i + 1]], requiresGrad: true))
        }
        self.weights = weights
        self.biases = biases
        self.prefix = prefix
    }

    public var namedParameters: [(name: String, tensor: Tensor)] {
        // nn.Sequential numbering: Linear layers at 0, 2, 4, … with the ReLUs between them.
        weights.indices.flatMap { i in
            [("\(prefix).\(2 * i).weight", weights[i]), ("\(prefix).\(2 * i).bias", biases[i])]
        }
    }

    /// `[..., input]` → `[..., output]`.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        var h = x
        for i in weights.indices {
            h = Tensor.linear(h, weight: weights[i], bias: biases[i], transposedWeight: true)
            if i < weights.count - 1 { h = h.relu() }
        }
        return h
    }
}
