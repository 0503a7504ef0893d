import TensorCore

extension LlamaModel {
    /// Loads a Llama-architecture GGUF (llama.cpp's tensor names `token_embd.weight`,
    /// `blk.N.attn_q.weight`, …), dequantising every tensor to Float32 once. The tensors are
    /// frozen (`requiresGrad == false`): train it through `attachLoRA`. With `keepQuantized`
    /// (the default) Q4_1/Q8_0 weights are also kept in quantised form for decoding steps
    /// (≈ 0.1 GB more for SmolLM2-135M), which streams 5× fewer bytes per generated token.
    public convenience init(gguf file: GGUFFile, keepQuantized: Bool = true) throws(PolicyModelsError) {
        let config = try LlamaConfig(gguf: file)
        let d = config.dModel, kv = config.kvDim, f = config.feedForward
        func load(_ name: String, _ shape: [Int]) throws(PolicyModelsError) -> Tensor {
            let t = try file.tensor(name)
            guard t.shape == shape else { throw .parameterMismatch(name: name, expected: shape, found: t.shape) }
            return t
        }
        var layers: [LlamaLayer] = []
        for i in 0..<config.layers {
            let p = "blk.\(i)."
            layers.append(LlamaLayer(
                config: config, attentionNorm: try load(p + "attn_norm.weight", [d]),
                q: try load(p + "attn_q.weight", [d, d]), k: try load(p + "attn_k.weight", [kv, d]),
                v: try load(p + "attn_v.weight", [kv, d]), o: try load(p + "attn_output.weight", [d, d]),
                feedForwardNorm: try load(p + "ffn_norm.weight", [d]),
                gate: try load(p + "ffn_gate.weight", [f, d]), up: try load(p + "ffn_up.weight", [f, d]),
                down: try load(p + "ffn_down.weight", [d, f])))
        }
        self.init(config: config, tokenEmbedding: try load("token_embd.weight", [config.vocabSize, d]), layers: layers,
                  finalNorm: try load("output_norm.weight", [d]),
                  outputProjection: config.tieWordEmbeddings ? nil : try load("output.weight", [config.vocabSize, d]))
        if keepQuantized {
            for (i, layer) in self.layers.enumerated() {
                let names: [(LoRATarget, String)] = [(.qProj, "attn_q"), (.kProj, "attn_k"), (.vProj, "attn_v"), (.oProj, "attn_output"),
                                                     (.gateProj, "ffn_gate"), (.upProj, "ffn_up"), (.downProj, "ffn_down")]
                for (target, name) in names {
                    layer.projection(target).quantized = try QuantizedMatrix(file: file, name: "blk.\(i).\(name).weight")
                }
            }
            quantizedOutput = try QuantizedMatrix(file: file, name: config.tieWordEmbeddings ? "token_embd.weight" : "output.weight")
        }
    }
}
