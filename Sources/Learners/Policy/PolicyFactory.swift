import Foundation
import PolicyModels
import TensorCore

/// Builds the policy a run or a command names, fresh or from a checkpoint folder.
public enum PolicyFactory {
    /// The from-scratch byte-level GPT-2 policy (`TrainingConfig.policy` default).
    public static let byteGPT2 = "byte-gpt2"

    /// A fresh policy for `config.policy`: `byte-gpt2` (random init from `config.model`) or a
    /// Llama base (`smollm2-135m`, a GGUF path, found by `resolveBase`) with fresh LoRA
    /// adapters from `config.lora`.
    public static func fresh(_ config: TrainingConfig, resolveBase: LlamaBaseResolver, rng: inout SeededRNG) throws -> any TurnPolicy {
        if config.policy == byteGPT2 { return try GPT2Policy(config: config.model.gpt2, rng: &rng) }
        return try LlamaPolicy(base: resolveBase(config.policy), lora: config.lora, rng: &rng)
    }

    /// Loads a checkpoint folder, choosing the policy by what it holds: `base_model.json` (a
    /// LoRA adapter over a Llama base, `LlamaPolicy.save`) or `model.safetensors` (GPT-2).
    public static func load(checkpoint folder: URL, resolveBase: LlamaBaseResolver) throws -> any TurnPolicy {
        let fm = FileManager.default
        if fm.fileExists(atPath: folder.appendingPathComponent(LlamaPolicy.markerFile).path) {
            return try LlamaPolicy.load(folder: folder, resolveBase: resolveBase)
        }
        if fm.fileExists(atPath: folder.appendingPathComponent("model.safetensors").path) {
            return try GPT2Policy.load(folder: folder)
        }
        throw PolicyModelsError.fileUnreadable(
            path: folder.path,
            reason: "not a checkpoint folder: neither \(LlamaPolicy.markerFile) (a LoRA adapter) nor model.safetensors (a GPT-2 policy); use e.g. runs/NAME/checkpoints/final")
    }
}
