import TensorCore

extension LlamaModel {
    /// Attaches a fresh adapter to every targeted projection of every layer (replacing any
    /// attached before) and freezes the base tensors, so `parameters` becomes the adapters.
    public func attachLoRA(_ config: LoRAConfig, rng: inout SeededRNG) throws(PolicyModelsError) {
        guard config.rank > 0, !config.targets.isEmpty else {
            throw .invalidConfiguration("LoRA rank \(config.rank) with \(config.targets.count) targets: rank must be positive and at least one projection targeted")
        }
        for (_, t) in namedParameters { t.requiresGrad = false }
        for layer in layers {
            for target in LoRATarget.allCases { layer.projection(target).lora = nil }
            for target in config.targets {
                let p = layer.projection(target)
                p.lora = LoRAAdapter(inFeatures: p.inFeatures, outFeatures: p.outFeatures, rank: config.rank, alpha: config.alpha, rng: &rng)
            }
        }
    }

    /// Every attached adapter with its layer and target, in layer then target order.
    public var loraAdapters: [(layer: Int, target: LoRATarget, adapter: LoRAAdapter)] {
        var list: [(layer: Int, target: LoRATarget, adapter: LoRAAdapter)] = []
        for (i, layer) in layers.enumerated() {
            for target in LoRATarget.allCases {
                if let a = layer.projection(target).lora { list.append((i, target, a)) }
            }
        }
        return list
    }

    /// The adapters' A and B factors (empty without adapters).
    public var loraParameters: [Tensor] { loraAdapters.flatMap { [$0.adapter.a, $0.adapter.b] } }
}
