import Foundation
import TensorCore

/// Saves and loads a `LlamaModel`'s LoRA adapters as a PEFT adapter folder:
/// `adapter_model.safetensors` with `base_model.model.model.layers.N.self_attn.q_proj.lora_A.weight`
/// (`[r, in]`) / `.lora_B.weight` (`[out, r]`) entries, and `adapter_config.json`
/// (`peft_type: LORA`, `r`, `lora_alpha`, `target_modules`, …), so `peft.PeftModel.from_pretrained`
/// loads it onto the HuggingFace model.
///
/// GGUF stores q/k weight rows permuted for adjacent-pair rotary (llama.cpp's converter
/// interleaves each head's two halves); `lora_B` rows of `q_proj`/`k_proj` are written back in
/// HuggingFace's half-split order and permuted again on load, so the saved adapter is correct
/// for the HF model.
public enum LoRACheckpoint {
    public static let weightsFile = "adapter_model.safetensors"
    public static let configFile = "adapter_config.json"

    /// PEFT's tensor name for one factor of one adapter.
    public static func tensorName(layer: Int, target: LoRATarget, factor: String) -> String {
        "base_model.model.model.layers.\(layer).\(target.modulePath).lora_\(factor).weight"
    }

    /// Writes the attached adapters (and their settings) to `folder`, creating it.
    public static func save(_ model: LlamaModel, config: LoRAConfig, baseModel: String = "HuggingFaceTB/SmolLM2-135M-Instruct",
                            to folder: URL) throws(PolicyModelsError) {
        let adapters = model.loraAdapters
        guard !adapters.isEmpty else { throw .invalidConfiguration("the model has no LoRA adapters to save; call attachLoRA first") }
        var tensors: [String: Tensor] = [:]
        for (layer, target, adapter) in adapters {
            tensors[tensorName(layer: layer, target: target, factor: "A")] = adapter.a.detached()
            let b = rotaryRowOrder(target, model.config).map { adapter.b.detached().permutedRows($0.toHF) } ?? adapter.b.detached()
            tensors[tensorName(layer: layer, target: target, factor: "B")] = b
        }
        let json: [String: Any] = [
            "peft_type": "LORA", "task_type": "CAUSAL_LM", "base_model_name_or_path": baseModel,
            "r": config.rank, "lora_alpha": Double(config.alpha), "lora_dropout": 0.0, "bias": "none",
            "target_modules": config.targets.map(\.rawValue), "fan_in_fan_out": false, "inference_mode": true,
            "use_rslora": false, "init_lora_weights": true, "modules_to_save": NSNull(),
        ]
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try SafeTensors.save(tensors, metadata: ["format": "pt"], path: folder.appendingPathComponent(weightsFile).path)
            let data = try JSONSerialization.data(withJSONObject: json, options: [.prettyPrinted, .sortedKeys])
            try data.write(to: folder.appendingPathComponent(configFile))
        } catch {
            throw .fileUnwritable(path: folder.path, reason: "\(error)")
        }
    }

    /// Reads `adapter_config.json` and the adapter weights from `folder` and attaches them to
    /// `model` (freezing its base). Returns the settings read.
    @discardableResult
    public static func load(into model: LlamaModel, from folder: URL) throws(PolicyModelsError) -> LoRAConfig {
        let configURL = folder.appendingPathComponent(configFile)
        let config = try readConfig(configURL)
        let file: SafeTensors.File
        do { file = try SafeTensors.load(path: folder.appendingPathComponent(weightsFile).path) } catch {
            throw .fileUnreadable(path: folder.appendingPathComponent(weightsFile).path, reason: "\(error)")
        }
        for (_, t) in model.namedParameters { t.requiresGrad = false }
        for (i, layer) in model.layers.enumerated() {
            for target in LoRATarget.allCases { layer.projection(target).lora = nil }
            for target in config.targets {
                let p = layer.projection(target)
                let a = try factor(file, tensorName(layer: i, target: target, factor: "A"), [config.rank, p.inFeatures])
                var b = try factor(file, tensorName(layer: i, target: target, factor: "B"), [p.outFeatures, config.rank])
                if let order = rotaryRowOrder(target, model.config) { b = b.permutedRows(order.fromHF) }
                p.lora = LoRAAdapter(a: a, b: b, scale: config.scale)
            }
        }
        return config
    }

    private static func factor(_ file: SafeTensors.File, _ name: String, _ shape: [Int]) throws(PolicyModelsError) -> Tensor {
        guard let t = file.tensors[name] else { throw .parameterMismatch(name: name, expected: shape, found: nil) }
        guard t.shape == shape else { throw .parameterMismatch(name: name, expected: shape, found: t.shape) }
        return t.clone()
    }

    private static func readConfig(_ url: URL) throws(PolicyModelsError) -> LoRAConfig {
        let object: Any
        do { object = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) } catch {
            throw .fileUnreadable(path: url.path, reason: "\(error)")
        }
        guard let json = object as? [String: Any] else { throw .malformedFile(path: url.path, field: "(root)", reason: "is not a JSON object") }
        if let type = json["peft_type"] as? String, type != "LORA" { throw .unsupported(path: url.path, field: "peft_type", value: type) }
        guard let rank = json["r"] as? Int else { throw .malformedFile(path: url.path, field: "r", reason: "is missing or not an integer") }
        let alpha = (json["lora_alpha"] as? NSNumber)?.floatValue ?? Float(rank)
        if json["use_rslora"] as? Bool == true { throw .unsupported(path: url.path, field: "use_rslora", value: "true") }
        let names: [String]
        if let list = json["target_modules"] as? [String] { names = list }
        else if let one = json["target_modules"] as? String { names = [one] }
        else { throw .malformedFile(path: url.path, field: "target_modules", reason: "is missing") }
        var targets: [LoRATarget] = []
        for name in names {
            guard let t = LoRATarget(rawValue: name) else {
                throw .unsupported(path: url.path, field: "target_modules", value: "\(name) (known: \(LoRATarget.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            targets.append(t)
        }
        return LoRAConfig(rank: rank, alpha: alpha, targets: targets)
    }

    /// For q_proj/k_proj: the row maps between GGUF's interleaved order and HF's half-split
    /// order within each head (HF row h·hd + s·hd/2 + i ↔ GGUF row h·hd + 2i + s).
    static func rotaryRowOrder(_ target: LoRATarget, _ config: LlamaConfig) -> (toHF: [Int], fromHF: [Int])? {
        let heads: Int
        switch target {
        case .qProj: heads = config.heads
        case .kProj: heads = config.kvHeads
        default: return nil
        }
        let hd = config.headDim, half = hd / 2
        var toHF = [Int](repeating: 0, count: heads * hd), fromHF = toHF
        for h in 0..<heads {
            for s in 0..<2 {
                for i in 0..<half {
                    let hf = h * hd + s * half + i, gguf = h * hd + 2 * i + s
                    toHF[hf] = gguf      // HF row hf takes GGUF row gguf
                    fromHF[gguf] = hf    // GGUF row gguf takes HF row hf
                }
            }
        }
        return (toHF, fromHF)
    }
}

extension Tensor {
    /// A copy whose row r is row `source[r]` of this 2-D tensor.
    func permutedRows(_ source: [Int]) -> Tensor {
        let cols = shape[1]
        let out = Tensor.zeros(shape)
        withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for (r, from) in source.enumerated() {
                    (dst.baseAddress! + r * cols).update(from: src.baseAddress! + from * cols, count: cols)
                }
            }
        }
        return out
    }
}
