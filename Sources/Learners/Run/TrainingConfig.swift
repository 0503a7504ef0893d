import EnvironmentKit
import PolicyModels

/// The learning algorithms `turnrl train` runs.
public enum Algorithm: String, Sendable, Codable, CaseIterable {
    /// Behaviour cloning on expert demonstrations only.
    case bc
    /// BC warm start, then rounds of: play, keep the top episodes so far, clone them.
    case filteredBC = "filtered-bc"
    /// BC warm start, then ArCHer.
    case archer
    /// BC warm start, then turn-level GRPO (Sources/Learners/GRPO).
    case grpo
    /// BC warm start, then PPO (Sources/Learners/PPO).
    case ppo
}

/// The compaction mode of a run's contexts: the environment's own (`context.compaction` in its
/// manifest) or an override.
public enum CompactionChoice: String, Sendable, Codable, CaseIterable {
    case environment, none, truncate, summary

    /// The override, nil for `environment`.
    public var mode: ContextSettings.Compaction? { ContextSettings.Compaction(rawValue: rawValue) }

    /// `provider` under this choice: as it is for `environment`, else with its mode replaced at
    /// the same budget.
    public func applied(to provider: any EnvironmentProvider) -> any EnvironmentProvider {
        guard let mode else { return provider }
        return provider.withContext { $0.compaction = mode }
    }
}

/// Size of the byte-level GPT-2 policy.
public struct ModelSize: Sendable, Equatable, Codable {
    public var layers = 2
    public var dModel = 128
    public var heads = 4
    public var contextLength = 512

    public init() {}

    /// The GPT-2 configuration (vocabulary: GPT2Policy's byte chat template, padded to 264).
    public var gpt2: GPT2Config {
        GPT2Config(vocabSize: GPT2Policy.defaultConfig.vocabSize, contextLength: contextLength, dModel: dModel, layers: layers, heads: heads)
    }
}

/// Every hyperparameter of a training run (the resolved form is stored as the run's config.yaml).
public struct TrainingConfig: Sendable, Equatable, Codable {
    /// Environment name or folder.
    public var env = "arith-python"
    public var algo = Algorithm.archer
    /// Seeds the model initialisation, every rollout and every minibatch.
    public var seed: UInt64 = 0
    /// Environment episodes of the RL / filtered-BC phase (demonstrations not counted).
    public var episodes = 256
    /// Wall-clock cap on the RL phase in minutes (0: none); the run stops at whichever comes first.
    public var minutes: Double = 0
    /// Clone expert demonstrations before RL (the warm start). Always on for `bc`.
    public var warmStart = true
    /// A checkpoint folder (e.g. a `bc` run's `checkpoints/final`) whose policy replaces the
    /// warm start: RL starts from it without cloning again (`bench learn` shares one BC run
    /// between the algorithms of a seed this way), and `bc` clones on from its weights (a fresh
    /// optimizer), to extend a clone that needs more steps. Empty: a fresh policy, cloned as usual.
    public var warmStartCheckpoint = ""
    /// Worked examples shown before every task (few-shot prompting): this many successful expert
    /// episodes on train tasks, as real chat turns (`Trajectories.WorkedExamples`), in rollouts,
    /// evaluations, demonstrations and the probe alike. 0: none. Meant for instruction-tuned
    /// GGUF policies; they cost context, so the byte-level policy rarely wants them.
    public var fewShot = 0
    /// Compaction of every context of the run (demonstrations, rollouts, probe, evaluations):
    /// `environment` keeps the manifest's mode; `none`, `truncate` or `summary` replace it at the
    /// same budget (long-ledger's summary-vs-truncate comparison).
    public var compaction = CompactionChoice.environment
    /// Test-split episodes for the before/after evaluations (0 skips them).
    public var evalEpisodes = 100
    /// Evaluate the fresh policy too (the "before" figures); benchmarks skip it.
    public var evalBefore = true
    /// Sampled first replies per task kind for the first-action probe after BC.
    public var probeSamples = 32
    /// Write `checkpoints/step-N` every this many iterations.
    public var checkpointEvery = 10
    /// Episodes generated side by side in one batch.
    public var rolloutBatch = 16
    /// Cap on new tokens per turn.
    public var perTurnMaxNewTokens = 96
    /// The policy: `byte-gpt2` (a from-scratch byte-level GPT-2 of size `model`),
    /// `smollm2-135m` (SmolLM2-135M-Instruct, `turnrl model fetch smollm2-135m`) or the path of a
    /// Llama-family GGUF; the last two train LoRA adapters (`lora`) on a frozen base.
    public var policy = PolicyFactory.byteGPT2
    public var model = ModelSize()
    /// LoRA adapters of a GGUF policy. Rank 16, alpha 32 (alpha = 2·rank, as Biderman et al. 2024,
    /// "LoRA Learns Less and Forgets Less", use), on every attention and MLP projection (QLoRA,
    /// Dettmers et al. 2023: adapting all linear layers is what matches full fine-tuning; Hu et
    /// al. 2021 introduced LoRA with the attention projections only).
    public var lora = LoRAConfig()
    public var bc = BCConfig()
    public var archer = ArcherConfig()
    public var grpo = GRPOHyperparameters()
    /// GRPO: tasks per iteration; each is played `grpo.groupSize` times (2 × 8 = 16 episodes).
    public var grpoTasksPerIteration = 2
    public var ppo = PPOHyperparameters()
    /// PPO: episodes per update (equal to ArCHer's episodes per iteration).
    public var ppoEpisodesPerIteration = 16

    public init() {}
}
