import Foundation
import Testing
import EnvironmentKit
import TensorCore
import Trajectories
@testable import Learners

/// `--resume` is exact: a run killed after a checkpoint and resumed ends with the same weights,
/// learner state and metrics rows as the same run left alone, for every algorithm.
///
/// The kill is simulated by copying the finished straight run's folder and pointing its
/// state.json back at an earlier checkpoint: the copy then holds what a run killed just before
/// its next checkpoint leaves behind — later metrics rows, later episodes in run.sqlite and later
/// checkpoint folders — all of which the resumed run must ignore or redo.
@Suite(.serialized) struct ResumeTests {
    /// A run of seconds on the bandit: 1-layer d32 policy, 8 demonstrations, 75 BC steps (three
    /// logged rows, steps 1–3, a checkpoint after each), then 3 RL iterations of 4 episodes (steps
    /// 4–6) with a checkpoint after each. The clone answers in format about half the time, so RL
    /// gets rewards to learn from; learning rates are raised so restarted moments would show.
    private func config(_ algo: Algorithm) -> TrainingConfig {
        var c = TrainingConfig()
        c.algo = algo
        c.seed = 5
        c.episodes = 12
        c.evalEpisodes = 0
        c.evalBefore = false
        c.probeSamples = 0
        c.checkpointEvery = 1
        c.rolloutBatch = 4
        c.perTurnMaxNewTokens = 24
        c.model.layers = 1; c.model.dModel = 32; c.model.heads = 2; c.model.contextLength = 64
        c.bc.demonstrations = 8; c.bc.steps = 75; c.bc.learningRate = 5e-3; c.bc.batchSize = 4; c.bc.stepsPerIteration = 3
        c.archer.criticDModel = 32; c.archer.criticLayers = 1; c.archer.criticHeads = 2; c.archer.criticHeadHiddenSize = 32
        c.archer.episodesPerIteration = 4; c.archer.warmupIterations = 1; c.archer.criticStepsPerIteration = 2
        c.archer.actorStepsPerIteration = 2; c.archer.batchSize = 4; c.archer.actorLearningRate = 1e-3
        c.grpo.groupSize = 2; c.grpoTasksPerIteration = 2; c.grpo.miniBatchSize = 2; c.grpo.epochs = 2; c.grpo.learningRate = 1e-3
        c.ppoEpisodesPerIteration = 4; c.ppo.miniBatchSize = 2; c.ppo.epochs = 2; c.ppo.learningRate = 1e-3
        return c
    }

    private func train(_ config: TrainingConfig, folder: URL, resume: Bool) async throws {
        let run = try TrainingRun(config: config, provider: banditProvider(), folder: folder, resume: resume, configJSON: "{}")
        _ = try await run.run()
    }

    /// Runs `algo` straight, then resumes a copy from `checkpoints/step-K` and compares.
    private func checkResumeIsExact(
        _ algo: Algorithm, killedAt checkpoint: String, adjust: (inout TrainingConfig) -> Void = { _ in }
    ) async throws {
        var config = config(algo)
        adjust(&config)
        let policyAtKill = "checkpoints/\(checkpoint)/model.safetensors"
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("turnrl-resume-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let straight = root.appendingPathComponent("straight"), killed = root.appendingPathComponent("killed")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        try await train(config, folder: straight, resume: false)

        try FileManager.default.copyItem(at: straight, to: killed)
        let rewound = killed.appendingPathComponent("checkpoints/\(checkpoint)/state.json")
        #expect(FileManager.default.fileExists(atPath: rewound.path), "no checkpoint \(checkpoint) to resume from")
        try FileManager.default.removeItem(at: killed.appendingPathComponent("state.json"))
        try FileManager.default.copyItem(at: rewound, to: killed.appendingPathComponent("state.json"))
        try await train(config, folder: killed, resume: true)

        // Every weight, optimizer and generator file of the final checkpoint, bit for bit.
        let final = "checkpoints/final"
        let files = try FileManager.default.contentsOfDirectory(atPath: straight.appendingPathComponent(final).path)
            .filter { $0 != "state.json" }.sorted()
        #expect(files.contains("model.safetensors") && files.contains("optimizer.safetensors"))
        // The steps after the kill changed the weights (else the comparison below proves little).
        let trained = try Data(contentsOf: straight.appendingPathComponent("\(final)/model.safetensors"))
            != Data(contentsOf: straight.appendingPathComponent(policyAtKill))
        #expect(trained, "\(algo.rawValue): the policy did not change after \(checkpoint)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: killed.appendingPathComponent(final).path)
            .filter { $0 != "state.json" }.sorted() == files)
        for file in files {
            let a = try Data(contentsOf: straight.appendingPathComponent(final).appendingPathComponent(file))
            let b = try Data(contentsOf: killed.appendingPathComponent(final).appendingPathComponent(file))
            let same = a == b  // a Bool: #expect on the Data would diff megabytes element by element
            #expect(same, "\(algo.rawValue): \(file) differs after resuming from \(checkpoint)")
        }
        let stateA = try RunState.load(straight.appendingPathComponent("state.json"))
        let stateB = try RunState.load(killed.appendingPathComponent("state.json"))
        #expect(stateA.episodes == stateB.episodes && stateA.step == stateB.step && stateA.iteration == stateB.iteration)
        #expect(try metricsRows(straight) == metricsRows(killed))
        // run.sqlite: the episodes and metric values played and logged after the checkpoint by
        // the killed run are gone, the redone ones in their place.
        let (episodesA, metricsA) = try stored(straight, run: stateA.runID)
        let (episodesB, metricsB) = try stored(killed, run: stateB.runID)
        #expect(episodesA == episodesB)
        #expect(metricsA == metricsB)
    }

    /// The run's episodes (ids aside: the resumed run's new ones are numbered after the deleted
    /// ones) and metric values (wall-clock timings aside), in order.
    private func stored(_ folder: URL, run: Int64) throws -> (episodes: [String], metrics: [MetricRecord]) {
        let store = try TrajectoryStore(path: folder.appendingPathComponent("run.sqlite").path, mustExist: true)
        let episodes = try store.episodeSummaries(run: run).map { "\($0.taskID) \($0.seed) \($0.episodeReturn) \($0.length)" }
        let metrics = try store.metrics(run: run).filter { !MetricsLog.wallClockColumns.contains(String($0.name.split(separator: "/").last ?? "")) }
        return (episodes, metrics)
    }

    /// metrics.csv without the wall-clock columns (throughput and timings differ run to run).
    private func metricsRows(_ folder: URL) throws -> [String] {
        let lines = try String(contentsOf: folder.appendingPathComponent("metrics.csv"), encoding: .utf8)
            .split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        guard let header = lines.first, header.contains("tokensPerSecond") else { return [] }
        let kept = header.indices.filter { !MetricsLog.wallClockColumns.contains(header[$0]) }
        return lines.map { cells in kept.map { $0 < cells.count ? cells[$0] : "" }.joined(separator: ",") }
    }

    /// Killed inside the warm start (after 50 of 75 steps): demonstrations from the store,
    /// minibatch draws replayed, BC optimizer restored.
    @Test func behaviourCloning() async throws { try await checkResumeIsExact(.bc, killedAt: "step-2") }

    /// Killed after 2 of 3 iterations: the episode pool is rebuilt
    /// from run.sqlite, the cloning optimizer restored.
    @Test func filteredBC() async throws { try await checkResumeIsExact(.filteredBC, killedAt: "step-5") }

    /// Killed after the critic-only iteration and one full iteration: critics, target critics,
    /// both optimizers restored, the replay buffer rebuilt from run.sqlite.
    @Test func archer() async throws { try await checkResumeIsExact(.archer, killedAt: "step-5") }

    /// The same with ArCHer's token-level baseline: its network and optimizer restored too.
    @Test func archerWithTokenBaseline() async throws {
        try await checkResumeIsExact(.archer, killedAt: "step-5") { $0.archer.tokenBaseline = true }
    }

    /// With a KL penalty: the reference saved as the RL phase began (checkpoints/reference)
    /// anchors the resumed actor as it did the straight one.
    @Test func archerWithKL() async throws {
        try await checkResumeIsExact(.archer, killedAt: "step-5") { $0.archer.klCoefficient = 0.1 }
    }

    /// Killed after 2 of 3 updates: policy optimizer and minibatch generator restored.
    @Test func grpo() async throws { try await checkResumeIsExact(.grpo, killedAt: "step-5") }

    /// Killed after 2 of 3 updates: value critic, both optimizers and the minibatch generator restored.
    @Test func ppo() async throws { try await checkResumeIsExact(.ppo, killedAt: "step-5") }

    /// GRPO and PPO with a KL penalty, from the same reference.
    @Test func policyGradientWithKL() async throws {
        try await checkResumeIsExact(.grpo, killedAt: "step-5") { $0.grpo.klCoefficient = 0.1 }
        try await checkResumeIsExact(.ppo, killedAt: "step-5") { $0.ppo.klCoefficient = 0.1 }
    }
}
