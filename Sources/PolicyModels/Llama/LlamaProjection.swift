import TensorCore

/// One linear map of a Llama layer (`q_proj`, …, `down_proj`): a frozen or trainable weight
/// `[out, in]` (nn.Linear layout, GGUF's row order) plus an optional LoRA adapter.
public final class LlamaProjection: @unchecked Sendable {
    /// The base weight `[out, in]`.
    public let weight: Tensor
    /// The low-rank update added to the output, when attached (`LlamaModel.attachLoRA`).
    public internal(set) var lora: LoRAAdapter?
    /// The same weight still quantised (from a GGUF), for decoding steps without autograd.
    var quantized: QuantizedMatrix?

    init(weight: Tensor) { self.weight = weight }

    public var inFeatures: Int { weight.shape[1] }
    public var outFeatures: Int { weight.shape[0] }

    /// `[..., in]` → `[..., out]`: x·Wᵀ (+ the adapter's scale·x·Aᵀ·Bᵀ).
    func callAsFunction(_ x: Tensor) -> Tensor {
        let y = QuantizedMatrix.decodingProduct(x, quantized, weight) ?? Tensor.linear(x, weight: weight, transposedWeight: true)
        guard let lora else { return y }
        return y + lora(x)
    }
}
