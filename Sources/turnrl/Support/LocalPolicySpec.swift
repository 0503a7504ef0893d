import Foundation
import Learners

/// The `--policy` values that run a policy in this process: `checkpoint:PATH` (a folder written
/// by `turnrl train`, GPT-2 or LoRA adapter, told apart by its files) and a GGUF model
/// (`smollm2-135m` or a `.gguf` path: the instruct model as it is, no adapters).
enum LocalPolicySpec {
    static let checkpointPrefix = "checkpoint:"

    /// Whether `spec` names a local policy.
    static func isLocal(_ spec: String) -> Bool {
        spec.hasPrefix(checkpointPrefix) || ModelCatalog.isModel(spec)
    }

    /// Loads the policy `spec` names (a clear error when the folder or model is missing).
    static func load(_ spec: String) throws -> any TurnPolicy {
        if spec.hasPrefix(checkpointPrefix) {
            let path = String(spec.dropFirst(checkpointPrefix.count))
            return try PolicyFactory.load(checkpoint: URL(fileURLWithPath: path), resolveBase: ModelCatalog.baseResolver)
        }
        return try LlamaPolicy.untrained(base: ModelCatalog.baseResolver(spec))
    }
}
