import EnvironmentKit
import Foundation
import PolicyModels
import TensorCore
import Trajectories

/// A progress update for the command line.
public struct TrainingProgress: Sendable {
    /// Units done and total in the current phase (steps for BC, episodes for RL).
    public var done: Int
    public var total: Int
    public var phase: String
    /// A short line of the latest figures.
    public var figures: String
}

/// Errors of a training run that are the user's to fix.
public enum TrainingError: Error, CustomStringConvertible {
    case folderInUse(String)
    case nothingToResume(String)
    case unsupported(String)
    case nothingToClone(demonstrations: Int)

    public var description: String {
        switch self {
        case .unsupported(let reason): reason
        case .nothingToClone(let count): "none of the \(count) expert demonstrations has a turn to clone (every episode failed on infrastructure or produced no tokens); check the environment with `turnrl env check`"
        case .folderInUse(let path): "\(path) already holds a run; pass --resume to continue it or choose another --out"
        case .nothingToResume(let path): "\(path) has no state.json to resume from (no checkpoint was written yet); start it again without --resume"
        }
    }

    /// PPO's value network (`TokenCritic`) is a copy of the GPT-2 trunk.
    static func ppoNeedsGPT2(policy: String) -> TrainingError {
        .unsupported("PPO needs --policy byte-gpt2 for now (its value network copies the GPT-2 trunk); use --algo grpo or archer with \(policy)")
    }

    /// ArCHer's token-level baseline is a `TokenCritic` too.
    static let tokenBaselineNeedsGPT2 = TrainingError.unsupported("archer.tokenBaseline needs --policy byte-gpt2 for now (the baseline copies the GPT-2 trunk)")
}

/// One `turnrl train` run in its run folder (layout in docs/ARCHITECTURE.md, "Run folder"):
/// optional before-evaluation, BC warm start on expert demonstrations (with the first-action
/// probe), then iterations of the chosen algorithm, checkpoints, after-evaluation, summary.
public final class TrainingRun {
    public let config: TrainingConfig
    /// The environment, under `config.compaction`; with `fewShot` > 0, once `run()` starts, it
    /// carries the worked examples.
    public private(set) var provider: any EnvironmentProvider
    public let folder: URL
    /// Short notes for the user (phase changes, warnings).
    let note: (String) -> Void
    let progress: (TrainingProgress) -> Void
    private var state: RunState
    private let store: TrajectoryStore
    private let metrics: MetricsLog
    private let policy: any TurnPolicy
    /// Finds a Llama policy's base model (for the KL term's reference copy).
    private let resolveBase: LlamaBaseResolver
    private let startedFresh: Bool
    /// The learner of the current phase: what checkpoints save besides the policy.
    private var learner: (any LearnerCheckpoint)?

    /// Throws when the configuration asks for what its policy cannot do (PPO's value network
    /// and ArCHer's token-level baseline copy the GPT-2 trunk). Said before any cloning; runPPO
    /// and runArcher meet the same condition as a cast.
    public static func checkSupported(_ config: TrainingConfig) throws {
        guard config.policy != PolicyFactory.byteGPT2 else { return }
        if config.algo == .ppo { throw TrainingError.ppoNeedsGPT2(policy: config.policy) }
        if config.algo == .archer && config.archer.tokenBaseline { throw TrainingError.tokenBaselineNeedsGPT2 }
    }

    /// Opens (or, with `resume`, reopens) the run folder. `configJSON` is stored with the run.
    /// `resolveBase` finds a GGUF policy's base model by name (the command line resolves
    /// `smollm2-135m`; the default takes the name as a file path).
    public init(
        config: TrainingConfig, provider: any EnvironmentProvider, folder: URL, resume: Bool, configJSON: String,
        resolveBase: @escaping LlamaBaseResolver = LlamaBase.ggufPath,
        note: @escaping (String) -> Void = { _ in }, progress: @escaping (TrainingProgress) -> Void = { _ in }
    ) throws {
        try Self.checkSupported(config)
        self.config = config
        self.resolveBase = resolveBase
        self.provider = config.compaction.applied(to: provider)
        self.folder = folder
        self.note = note
        self.progress = progress
        let fm = FileManager.default
        let stateURL = folder.appendingPathComponent("state.json")
        let databaseURL = folder.appendingPathComponent("run.sqlite")
        if resume {
            guard fm.fileExists(atPath: stateURL.path) else { throw TrainingError.nothingToResume(folder.path) }
        } else if fm.fileExists(atPath: databaseURL.path) {
            throw TrainingError.folderInUse(folder.path)
        }
        // A fresh run's policy is built before anything is written, so a warm start or base
        // model that cannot be read leaves no half-made run folder behind.
        let initial = resume ? nil : try Self.initialPolicy(config, resolveBase: resolveBase)
        try fm.createDirectory(at: folder.appendingPathComponent("checkpoints"), withIntermediateDirectories: true)
        store = try TrajectoryStore(path: databaseURL.path, durability: .normal)
        if resume {
            state = try RunState.load(stateURL)
        } else {
            state = RunState(runID: try store.beginRun(name: folder.lastPathComponent, configJSON: configJSON, seed: config.seed, codeVersion: "turnrl").id)
        }
        startedFresh = !resume
        if resume {
            // What the killed run did after its checkpoint is redone: its rows and episodes go.
            try Self.dropRowsAfter(step: state.step, in: folder.appendingPathComponent("metrics.csv"))
            try store.rewind(run: state.runID, afterEpisode: state.lastEpisodeID, keepingMetrics: state.metricValues)
        }
        metrics = try MetricsLog(folder: folder, store: store, run: state.runID)
        if let checkpoint = state.checkpoint {
            policy = try PolicyFactory.load(checkpoint: folder.appendingPathComponent(checkpoint), resolveBase: resolveBase)
        } else {
            policy = try initial ?? Self.initialPolicy(config, resolveBase: resolveBase)
        }
    }

    /// The policy a run starts from before its first checkpoint: the warm-start checkpoint, else
    /// a fresh one from the initialisation stream.
    private static func initialPolicy(_ config: TrainingConfig, resolveBase: LlamaBaseResolver) throws -> any TurnPolicy {
        if case let start = config.warmStartCheckpoint, !start.isEmpty {
            return try PolicyFactory.load(checkpoint: URL(fileURLWithPath: start), resolveBase: resolveBase)
        }
        var rng = stream(config.seed, 0)
        return try PolicyFactory.fresh(config, resolveBase: resolveBase, rng: &rng)
    }

    /// The generator of one stage of the run: (seed, stage) → an independent stream. Stage 0 is
    /// initialisation, 1 the warm start, 2 the critic's initialisation, 3 + i RL iteration i.
    static func stream(_ seed: UInt64, _ stage: UInt64) -> SeededRNG {
        SeededRNG(seed: splitMix64(seed ^ splitMix64(stage &+ 0x5EED)))
    }

    /// Runs to the end of the budget and returns the summary (also written to summary.json).
    public func run() async throws -> RunSummary {
        if case let budget = provider.spec.context.budgetTokens, policy.contextLength < budget {
            // Rollouts cap the environment's budget at the policy's context (RolloutWorker), so
            // a short policy silently stops long episodes; the user should hear it once.
            note("The policy's context (\(policy.contextLength) tokens) is shorter than \(provider.spec.name)'s budget (\(budget)): episodes stop when their context reaches \(policy.contextLength) tokens (--set model.contextLength=\(budget) keeps the environment's budget)")
        }
        if config.fewShot > 0 && provider.spec.context.examples.isEmpty {
            // Deterministic (train seeds 0, 1, …), so a resumed run shows the same examples.
            provider = try await WorkedExamples.provider(provider, count: config.fewShot)
            note("Few-shot: \(config.fewShot) worked example(s) from the expert, \(provider.spec.context.examples.count) chat messages before every task")
        }
        if state.before.isEmpty && config.evalEpisodes > 0 && config.evalBefore {
            note("Evaluating the initial policy on \(config.evalEpisodes) test episodes")
            state.before = try await evaluate(phase: "before")
        }
        if (config.algo == .bc || config.warmStart) && !state.bcDone {
            if config.algo != .bc, case let start = config.warmStartCheckpoint, !start.isEmpty {
                note("Warm start: the policy of \(start)")
                var rng = Self.stream(config.seed, 1)
                try probeFirstAction(rng: &rng)
                state.bcDone = true
            } else {
                try await warmStart()
            }
        }
        switch config.algo {
        case .archer: try await runArcher()
        case .filteredBC: try await runFilteredBC()
        case .grpo: try await runGRPO()
        case .ppo: try await runPPO()
        case .bc: break
        }
        let final = try saveCheckpoint(name: "final")
        var after: [EvaluationSummary] = []
        if config.evalEpisodes > 0 {
            note("Evaluating the trained policy on \(config.evalEpisodes) test episodes")
            after = try await evaluate(phase: "after")
            // The evaluation row stays in run.sqlite if the run is resumed for more episodes (as
            // it stays in metrics.csv, whose rows up to the checkpoint's step are kept).
            try keepMetricsLoggedSoFar(checkpoint: final)
        }
        let greedy = after.first
        let summary = RunSummary(
            run: folder.path, episodes: state.episodes,
            final: .init(successRate: greedy?.successRate.mean ?? lastSuccess, meanReturn: greedy?.meanReturn.mean ?? lastReturn),
            checkpoint: final.path,
            before: state.before.isEmpty ? nil : Dictionary(uniqueKeysWithValues: state.before.map { ($0.mode, $0) }),
            after: after.isEmpty ? nil : Dictionary(uniqueKeysWithValues: after.map { ($0.mode, $0) }))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(summary).write(to: folder.appendingPathComponent("summary.json"))
        return summary
    }

    private var lastSuccess = 0.0
    private var lastReturn = 0.0
    /// Wall time of the last `collect` (episodes played and stored).
    private var lastRolloutSeconds = 0.0

    // MARK: Phases

    /// Greedy and sampled test evaluation; logged as an `eval` row.
    private func evaluate(phase: String) async throws -> [EvaluationSummary] {
        var out: [EvaluationSummary] = []
        for greedy in [true, false] {
            out.append(try await Evaluator.evaluate(
                policy: policy, provider: provider, split: .test, episodes: config.evalEpisodes, greedy: greedy,
                batchSize: config.rolloutBatch, perTurnMaxNewTokens: config.perTurnMaxNewTokens, seed: config.seed).summary)
        }
        let g = out[0]
        try metrics.append(MetricsRow(episodes: state.episodes, step: state.step, phase: "eval", values: [
            "successRate": g.successRate.mean, "sampledSuccessRate": out[1].successRate.mean, "meanReturn": g.meanReturn.mean,
            "meanTurns": g.meanTurns, "toolCalls": g.meanToolCalls, "contextTokens": g.meanContextTokens,
        ]))
        note("\(phase): greedy success \(percent(g.successRate)), sampled \(percent(out[1].successRate)), return \(String(format: "%.3f", g.meanReturn.mean))")
        return out
    }

    /// Clones expert demonstrations, then probes the first action per task kind. Checkpoints
    /// every `checkpointEvery` logged rows; resumed from one, it rebuilds the demonstrations from
    /// the store and replays the generator's minibatch draws of the steps already taken.
    private func warmStart() async throws {
        var rng = Self.stream(config.seed, 1)
        let seeds = (0..<config.bc.demonstrations).map { _ in rng.next() }
        let done = state.bcSteps ?? 0
        let sequences: [WeightedSequence]
        if done > 0 {
            sequences = try storedEpisodes().flatMap { BehaviourCloning.sequences($0) }
            for _ in 0..<done { _ = sampleIndices(config.bc.batchSize, from: sequences.count, rng: &rng) }
            note("Behaviour cloning resumes at step \(done) of \(config.bc.steps) on \(sequences.count) sequences")
        } else {
            note("Collecting \(seeds.count) expert demonstrations")
            let demos = try await ExpertDemonstrations.collect(
                provider: provider, policy: policy, seeds: seeds, perTurnMaxNewTokens: config.perTurnMaxNewTokens)
            for demo in demos { state.lastEpisodeID = try store.appendEpisode(demo.record, run: state.runID) }
            state.episodes += demos.count
            sequences = demos.filter(\.isTrainable).flatMap { BehaviourCloning.sequences($0.record) }
            note("Behaviour cloning: \(config.bc.steps) steps on \(sequences.count) sequences (expert success \(String(format: "%.0f%%", 100 * Double(demos.filter(\.success).count) / Double(max(1, demos.count)))))")
        }
        guard !sequences.isEmpty else { throw TrainingError.nothingToClone(demonstrations: seeds.count) }
        let bc = BehaviourCloning(policy: policy, config: config.bc)
        try adopt(bc, resuming: done > 0)
        let schedule = WarmupCosineSchedule(peak: config.bc.learningRate, warmupSteps: min(50, config.bc.steps / 10), totalSteps: max(1, config.bc.steps))
        var window: [Float] = []
        var tokens = 0
        var clock = Date()
        for k in done..<config.bc.steps {
            let batch = sampleIndices(config.bc.batchSize, from: sequences.count, rng: &rng).map { sequences[$0] }
            tokens += batch.reduce(0) { $0 + $1.context.count + $1.continuation.count }
            window.append(try bc.step(batch, learningRate: schedule.learningRate(at: k)))
            if (k + 1) % 25 == 0 || k + 1 == config.bc.steps {
                let loss = window.reduce(0, +) / Float(window.count)
                let rate = Double(tokens) / max(1e-9, Date().timeIntervalSince(clock))
                let sequenceTokens = Double(tokens) / Double(window.count * config.bc.batchSize)
                state.step += 1
                try metrics.append(MetricsRow(episodes: state.episodes, step: state.step, phase: "bc",
                                              values: ["bcLoss": Double(loss), "tokensPerSecond": rate, "sequenceTokens": sequenceTokens]))
                progress(TrainingProgress(done: k + 1, total: config.bc.steps, phase: "bc", figures: String(format: "loss %.3f · %.0f tok/s", loss, rate)))
                window = []; tokens = 0; clock = Date()
                if k + 1 < config.bc.steps && state.step % max(1, config.checkpointEvery) == 0 {
                    state.bcSteps = k + 1
                    _ = try saveCheckpoint(name: "step-\(state.step)")
                }
            }
        }
        try probeFirstAction(rng: &rng)
        state.bcDone = true
        state.bcSteps = config.bc.steps
        _ = try saveCheckpoint(name: "step-\(state.step)")
    }

    /// Logs the first-action probability per kind; warns when RL would get no signal.
    private func probeFirstAction(rng: inout SeededRNG) throws {
        guard config.probeSamples > 0 else { return }
        let probabilities = try FirstActionProbe.probabilities(
            policy: policy, provider: provider, samplesPerKind: config.probeSamples, perTurnMaxNewTokens: config.perTurnMaxNewTokens, rng: &rng)
        guard !probabilities.isEmpty else { return }
        let samplesPerUpdate = switch config.algo {
        case .archer: config.archer.episodesPerIteration
        case .grpo: config.grpo.groupSize
        case .ppo: config.ppoEpisodesPerIteration
        case .bc, .filteredBC: config.rolloutBatch
        }
        let floor = 1 / Double(samplesPerUpdate)
        for (kind, p) in probabilities.sorted(by: { $0.key < $1.key }) {
            note(String(format: "P(right first action | %@) = %.2f", kind, p))
            if p < floor && config.algo != .bc {
                note(String(format: "warning: below 1/%d = %.3f for %@: RL will rarely see the right first action there and may get no signal", samplesPerUpdate, floor, kind))
            }
        }
        let mean = probabilities.values.reduce(0, +) / Double(probabilities.count)
        try metrics.append(MetricsRow(episodes: state.episodes, step: state.step, phase: "bc", values: ["firstActionProbability": mean]))
    }

    /// Plays `count` fresh episodes of the train split and stores them.
    private func collect(count: Int, rng: inout SeededRNG) async throws -> [PlayedEpisode] {
        try await collect(seeds: (0..<count).map { _ in rng.next() }, rng: &rng)
    }

    /// Plays one episode per seed (train split) and stores them.
    private func collect(seeds: [UInt64], rng: inout SeededRNG) async throws -> [PlayedEpisode] {
        let worker = RolloutWorker(provider: provider, policy: policy, settings: RolloutSettings(
            split: .train, sampling: SamplingConfig(maxNewTokens: config.perTurnMaxNewTokens),
            batchSize: config.rolloutBatch, perTurnMaxNewTokens: config.perTurnMaxNewTokens))
        let clock = Date()
        defer { lastRolloutSeconds = Date().timeIntervalSince(clock) }
        var played = try await worker.play(seeds: seeds, rng: &rng)
        for k in played.indices {
            played[k].record.id = try store.appendEpisode(played[k].record, run: state.runID)
            state.lastEpisodeID = played[k].record.id
        }
        state.episodes += played.count
        state.rlEpisodes += played.count
        return played
    }

    /// Rollout statistics of an iteration as metric values.
    private func rolloutValues(_ played: [PlayedEpisode]) -> [String: Double] {
        let n = Double(max(1, played.count))
        lastSuccess = Double(played.filter(\.success).count) / n
        lastReturn = played.reduce(0) { $0 + $1.episodeReturn } / n
        return [
            "successRate": lastSuccess, "meanReturn": lastReturn,
            "meanTurns": Double(played.reduce(0) { $0 + $1.turns }) / n,
            "toolCalls": Double(played.reduce(0) { $0 + $1.toolCalls }) / n,
            "contextTokens": played.reduce(0) { $0 + $1.meanContextTokens } / n,
            "rolloutSeconds": lastRolloutSeconds,
        ]
    }

    /// Whether the RL budget (episodes, minutes) has room for another iteration.
    private func budgetLeft(iterationStart: Date, carried: Double) -> Bool {
        if state.rlEpisodes >= config.episodes { return false }
        if config.minutes > 0, carried + Date().timeIntervalSince(iterationStart) >= config.minutes * 60 { return false }
        return true
    }

    /// The run's stored trainable episodes up to the checkpointed state (a resumed run's view).
    private func storedEpisodes() throws -> [EpisodeRecordData] {
        try store.episodeIDs(run: state.runID).filter { $0 <= state.lastEpisodeID }.map { try store.episode(id: $0) }
            .filter { $0.status.isTrainable }
    }

    private func runArcher() async throws {
        var initRNG = Self.stream(config.seed, 2)
        var tokenBaseline: TokenCritic?
        if config.archer.tokenBaseline {
            guard let gpt2 = policy as? GPT2Policy else { throw TrainingError.tokenBaselineNeedsGPT2 }
            tokenBaseline = try TokenCritic(copying: gpt2.model, rng: &initRNG)
        }
        let trainer = try ArcherTrainer(
            policy: policy, vocabularySize: policy.vocabularySize, config: config.archer,
            maxNewTokens: config.perTurnMaxNewTokens, tokenBaseline: tokenBaseline,
            reference: referencePolicy(klCoefficient: config.archer.klCoefficient), rng: &initRNG)
        try adopt(trainer, resuming: state.iteration > 0)
        // The buffer holds the demonstrations and every rollout so far (rebuilt from the store).
        for episode in try storedEpisodes() { trainer.replay.append(contentsOf: Transition.transitions(of: episode)) }
        note("ArCHer\(tokenBaseline == nil ? "" : " with a token-level baseline"): \(config.episodes) episodes, \(config.archer.episodesPerIteration) per iteration, critic-only for the first \(config.archer.warmupIterations)")
        let carried = state.rlSeconds
        let start = Date()
        while budgetLeft(iterationStart: start, carried: carried) {
            var rng = Self.stream(config.seed, 3 + UInt64(state.iteration))
            let played = try await collect(count: min(config.archer.episodesPerIteration, config.episodes - state.rlEpisodes), rng: &rng)
            for episode in played where episode.isTrainable { trainer.replay.append(contentsOf: Transition.transitions(of: episode.record)) }
            let warmup = state.iteration < config.archer.warmupIterations
            let clock = Date()
            let critic = try trainer.criticPhase(rng: &rng)
            var tokens = critic.tokens
            var values = rolloutValues(played)
            values["criticLoss"] = Double(critic.loss); values["meanQ"] = Double(critic.meanQ); values["meanV"] = Double(critic.meanV)
            values["criticSeconds"] = Date().timeIntervalSince(clock)
            let actorClock = Date()
            if warmup {
                // The token-level baseline (if any) learns alongside the critic before its first use.
                for _ in 0..<config.archer.criticStepsPerIteration { tokens += try trainer.warmUpTokenBaseline(rng: &rng) }
            } else {
                var actorLoss: Float = 0, advantage: Float = 0, entropy: Float = 0, kl: Float = 0
                for _ in 0..<config.archer.actorStepsPerIteration {
                    let stats = try trainer.actorStep(rng: &rng)
                    actorLoss += stats.loss; advantage += stats.advantageMean; entropy += stats.entropy; tokens += stats.tokens
                    kl += stats.klToReference ?? 0
                }
                let k = Float(max(1, config.archer.actorStepsPerIteration))
                values["actorLoss"] = Double(actorLoss / k); values["advantageMean"] = Double(advantage / k); values["entropy"] = Double(entropy / k)
                if trainer.reference != nil { values["klToReference"] = Double(kl / k) }
            }
            values["actorSeconds"] = Date().timeIntervalSince(actorClock)
            // Trained tokens (critic and actor passes) per second of update time.
            values["tokensPerSecond"] = Double(tokens) / max(1e-9, Date().timeIntervalSince(clock))
            try finishIteration(values, phase: warmup ? "warmup" : "rl", seconds: carried + Date().timeIntervalSince(start))
        }
        _ = try saveCheckpoint(name: "step-\(state.step)")
    }

    private func runFilteredBC() async throws {
        var pool = try storedEpisodes().filter { $0.split == "train" }.map { PlayedEpisode(record: $0, taskKind: "", success: false, toolCalls: 0) }
        let bc = BehaviourCloning(policy: policy, config: config.bc)
        try adopt(bc, resuming: state.iteration > 0)
        note("Filtered BC: \(config.episodes) episodes, top \(Int(config.bc.filterFraction * 100))% of all episodes so far cloned after each batch")
        let carried = state.rlSeconds
        let start = Date()
        while budgetLeft(iterationStart: start, carried: carried) {
            var rng = Self.stream(config.seed, 3 + UInt64(state.iteration))
            let played = try await collect(count: min(config.rolloutBatch, config.episodes - state.rlEpisodes), rng: &rng)
            pool += played
            let sequences = BehaviourCloning.topEpisodes(pool, fraction: config.bc.filterFraction).flatMap { BehaviourCloning.sequences($0.record) }
            let clock = Date()
            var loss: Float = 0, tokens = 0
            for _ in 0..<(sequences.isEmpty ? 0 : config.bc.stepsPerIteration) {
                let batch = sampleIndices(config.bc.batchSize, from: sequences.count, rng: &rng).map { sequences[$0] }
                tokens += batch.reduce(0) { $0 + $1.context.count + $1.continuation.count }
                loss += try bc.step(batch) / Float(config.bc.stepsPerIteration)
            }
            var values = rolloutValues(played)
            values["bcLoss"] = Double(loss)
            values["tokensPerSecond"] = Double(tokens) / max(1e-9, Date().timeIntervalSince(clock))
            try finishIteration(values, phase: "rl", seconds: carried + Date().timeIntervalSince(start))
        }
    }

    private func runGRPO() async throws {
        let learner = try GRPOLearner(policy: policy, hyperparameters: config.grpo,
                                      reference: referencePolicy(klCoefficient: config.grpo.klCoefficient), seed: config.seed)
        try adopt(learner, resuming: state.iteration > 0)
        note("Turn-level GRPO: \(config.episodes) episodes, \(config.grpoTasksPerIteration) tasks × \(config.grpo.groupSize) per iteration")
        try await runPolicyGradient(seeds: { rng in learner.groupedSeeds(tasks: self.config.grpoTasksPerIteration, rng: &rng) },
                                    update: { try learner.update(played: $0) })
    }

    private func runPPO() async throws {
        var initRNG = Self.stream(config.seed, 2)
        guard let gpt2 = policy as? GPT2Policy else { throw TrainingError.ppoNeedsGPT2(policy: config.policy) }
        let critic = try TokenCritic(copying: gpt2.model, rng: &initRNG)
        let learner = try PPOLearner(policy: policy, critic: critic, hyperparameters: config.ppo,
                                     reference: referencePolicy(klCoefficient: config.ppo.klCoefficient), seed: config.seed)
        try adopt(learner, resuming: state.iteration > 0)
        note("PPO: \(config.episodes) episodes, \(config.ppoEpisodesPerIteration) per update")
        try await runPolicyGradient(seeds: { rng in (0..<self.config.ppoEpisodesPerIteration).map { _ in rng.next() } },
                                    update: { try learner.update(played: $0) })
    }

    /// The frozen policy the KL term anchors to: the policy as the RL phase starts (after the warm
    /// start), saved once to checkpoints/reference so a resumed run anchors to the same one. nil
    /// when `klCoefficient` is 0 (nothing is saved or loaded).
    private func referencePolicy(klCoefficient: Float) throws -> (any TurnPolicy)? {
        guard klCoefficient > 0 else { return nil }
        let url = folder.appendingPathComponent("checkpoints/reference")
        if !FileManager.default.fileExists(atPath: url.path) {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
            try policy.save(to: url)
        }
        note("KL to the reference policy (β \(klCoefficient)): checkpoints/reference, the policy RL starts from")
        return try PolicyFactory.load(checkpoint: url, resolveBase: resolveBase)
    }

    /// The on-policy loop shared by GRPO and PPO (Sources/Learners/GRPO, PPO): play the
    /// iteration's seeds, update on those episodes, log, checkpoint.
    private func runPolicyGradient(seeds: (inout SeededRNG) -> [UInt64], update: ([PlayedEpisode]) throws -> PolicyGradientMetrics) async throws {
        let carried = state.rlSeconds
        let start = Date()
        while budgetLeft(iterationStart: start, carried: carried) {
            var rng = Self.stream(config.seed, 3 + UInt64(state.iteration))
            let played = try await collect(seeds: Array(seeds(&rng).prefix(config.episodes - state.rlEpisodes)), rng: &rng)
            let clock = Date()
            let metrics = try update(played)
            var values = rolloutValues(played)
            values.merge(metrics.columns) { _, new in new }
            values["tokensPerSecond"] = Double(metrics.trainedTokens) / max(1e-9, Date().timeIntervalSince(clock))
            try finishIteration(values, phase: "rl", seconds: carried + Date().timeIntervalSince(start))
        }
    }

    /// Counts an RL iteration, logs its row, shows progress, checkpoints every `checkpointEvery`.
    private func finishIteration(_ values: [String: Double], phase: String, seconds: Double) throws {
        state.iteration += 1
        state.step += 1
        state.rlSeconds = seconds
        try metrics.append(MetricsRow(episodes: state.episodes, step: state.step, phase: phase, values: values))
        progress(TrainingProgress(done: state.rlEpisodes, total: config.episodes, phase: phase, figures: figures(values)))
        if state.iteration % max(1, config.checkpointEvery) == 0 { _ = try saveCheckpoint(name: "step-\(state.step)") }
    }

    // MARK: Checkpoints

    /// Writes the policy and the current learner's state (`LearnerCheckpoint`) to
    /// `checkpoints/NAME` with state.json, and points the run's state.json at it.
    private func saveCheckpoint(name: String) throws -> URL {
        let relative = "checkpoints/\(name)"
        let url = folder.appendingPathComponent(relative)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        try policy.save(to: url)
        try learner?.saveState(to: url)
        state.checkpoint = relative
        state.metricValues = try store.metricCount(run: state.runID)
        try state.write(url.appendingPathComponent("state.json"))
        try state.write(folder.appendingPathComponent("state.json"))
        return url
    }

    /// Moves the resume mark of run.sqlite's metrics (`metricValues`) to now, in the run's and in
    /// `checkpoint`'s state.json.
    private func keepMetricsLoggedSoFar(checkpoint: URL) throws {
        state.metricValues = try store.metricCount(run: state.runID)
        try state.write(checkpoint.appendingPathComponent("state.json"))
        try state.write(folder.appendingPathComponent("state.json"))
    }

    /// Makes `learner` the one checkpoints save; `resuming` (the run was resumed from a checkpoint
    /// taken in this phase) restores its state from that checkpoint.
    private func adopt(_ learner: any LearnerCheckpoint, resuming: Bool) throws {
        self.learner = learner
        if resuming, let checkpoint = state.checkpoint { try learner.restoreState(from: folder.appendingPathComponent(checkpoint)) }
    }

    /// A resumed run replays from its checkpoint: metrics rows logged after it are dropped.
    static func dropRowsAfter(step: Int, in url: URL) throws {
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { return }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        guard !lines.isEmpty else { return }
        let header = lines.removeFirst()
        let kept = lines.filter { line in
            let cells = line.split(separator: ",", omittingEmptySubsequences: false)
            return cells.count > 1 && (Int(cells[1]) ?? .max) <= step
        }
        try (([header] + kept).joined(separator: "\n") + "\n").write(to: url, atomically: true, encoding: .utf8)
    }

    private func figures(_ v: [String: Double]) -> String {
        var parts = [String(format: "success %.0f%%", 100 * (v["successRate"] ?? 0)), String(format: "return %.2f", v["meanReturn"] ?? 0),
                     String(format: "turns %.1f", v["meanTurns"] ?? 0), String(format: "tools %.1f", v["toolCalls"] ?? 0)]
        for key in ["criticLoss", "actorLoss", "bcLoss", "policyLoss", "valueLoss"] { if let x = v[key] { parts.append(String(format: "%@ %.3g", key, x)) } }
        if let t = v["tokensPerSecond"] { parts.append(String(format: "%.0f tok/s", t)) }
        return parts.joined(separator: " · ")
    }

    private func percent(_ e: Estimate) -> String {
        String(format: "%.0f%% [%.0f, %.0f]", 100 * e.mean, 100 * e.low, 100 * e.high)
    }
}
