import Foundation

/// What `turnrl env check` found.
public struct CheckReport: Codable, Sendable {
    public struct Check: Codable, Sendable {
        public var name: String
        public var ok: Bool
        public var detail: String
    }

    /// Per task kind: expert success, and how often its first action was the task's
    /// `first_action` (when the tasks give one).
    public struct KindStats: Codable, Sendable {
        public var kind: String
        public var episodes: Int
        public var successes: Int
        public var successRate: Double
        public var meanReturn: Double
        public var firstActionExpected: String?
        public var firstActionEpisodes: Int
        public var firstActionHits: Int
        public var firstActionRate: Double?
    }

    public struct RewardStats: Codable, Sendable {
        public var episodes: Int
        public var mean: Double
        public var std: Double
        public var min: Double
        public var max: Double
        public var successRate: Double
        public var meanTurns: Double
    }

    public var name: String
    public var version: String
    public var source: String
    public var ok: Bool
    public var checks: [Check]
    public var split: String
    public var expertReturns: RewardStats?
    public var kinds: [KindStats]
    public var trainTasks: Int
    public var testTasks: Int

    /// A report for an environment that did not even load (`detail` is the loader's error).
    public static func failedToLoad(_ name: String, detail: String, split: Split) -> CheckReport {
        CheckReport(
            name: name, version: "", source: name, ok: false, checks: [Check(name: "manifest", ok: false, detail: detail)],
            split: split.rawValue, expertReturns: nil, kinds: [], trainTasks: 0, testTasks: 0)
    }
}

/// Gymnasium's env checker for TurnRL environments: split sanity, determinism by seed, the
/// expert's episodes and reward statistics.
public enum EnvironmentChecker {
    /// Runs every check on `provider`; `episodes` expert episodes on seeds 0..<episodes of `split`.
    public static func check(_ provider: any EnvironmentProvider, episodes: Int = 20, split: Split = .test) async -> CheckReport {
        var checks: [CheckReport.Check] = []
        let spec = provider.spec
        checks.append(.init(name: "manifest", ok: true, detail: "\(spec.name) \(spec.version) loaded from \(provider.source); tools: \(spec.tools.map(\.name).joined(separator: ", "))"))
        let tasks = provider.tasks
        let nonEmpty = !tasks.train.isEmpty && !tasks.test.isEmpty
        checks.append(.init(name: "tasks", ok: nonEmpty, detail: "train \(tasks.train.count), test \(tasks.test.count)\(nonEmpty ? "" : " (both splits need tasks)")"))
        let sharedIDs = Set(tasks.train.map(\.id)).intersection(tasks.test.map(\.id))
        let sharedPrompts = Set(tasks.train.map(\.prompt)).intersection(tasks.test.map(\.prompt))
        let disjoint = sharedIDs.isEmpty && sharedPrompts.isEmpty
        checks.append(.init(
            name: "split", ok: disjoint,
            detail: disjoint ? "train and test share no ids and no prompts"
                : "train and test share \(sharedIDs.count) id(s) (e.g. \(sharedIDs.sorted().prefix(3).joined(separator: ", "))) and \(sharedPrompts.count) prompt(s)"))

        var report = CheckReport(name: spec.name, version: spec.version, source: provider.source, ok: false, checks: checks, split: split.rawValue, expertReturns: nil, kinds: [], trainTasks: tasks.train.count, testTasks: tasks.test.count)
        guard nonEmpty else { return finish(report) }

        // Determinism of reset: the same seed picks the same task and first observation.
        let environment = provider.makeEnvironment()
        var resetStable = true
        var resetDetail = "reset(seed) gives the same task for seeds 0..<\(min(episodes, 5))"
        do {
            for seed in 0..<UInt64(min(episodes, 5)) {
                let a = try await environment.reset(seed: seed, options: ResetOptions(split: split))
                let taskA = await environment.currentTask?.id
                let b = try await environment.reset(seed: seed, options: ResetOptions(split: split))
                let taskB = await environment.currentTask?.id
                if a != b || taskA != taskB {
                    resetStable = false
                    resetDetail = "seed \(seed) gave tasks \(taskA ?? "?") and \(taskB ?? "?")"
                }
            }
            await environment.close()
        } catch {
            resetStable = false
            resetDetail = "reset failed: \(error)"
        }
        report.checks.append(.init(name: "reset determinism", ok: resetStable, detail: resetDetail))

        guard let expert = provider.expert else {
            report.checks.append(.init(name: "expert", ok: true, detail: "no expert.py: expert episodes, reward statistics and determinism of episodes skipped"))
            return finish(report)
        }
        var records: [EpisodeRecord] = []
        var failures: [String] = []
        for seed in 0..<UInt64(max(1, episodes)) {
            do {
                let record = try await EpisodeRunner.run(environment, expert: expert, seed: seed, options: ResetOptions(split: split))
                if let infra = record.infraError { failures.append("seed \(seed) (task \(record.task.id)): \(infra)") }
                records.append(record)
            } catch {
                failures.append("seed \(seed): \(error)")
            }
        }
        report.checks.append(.init(
            name: "expert episodes", ok: failures.isEmpty,
            detail: failures.isEmpty ? "\(records.count) episodes without infrastructure errors" : "\(failures.count) failed; first: \(failures[0])"))

        // Determinism of whole episodes: replaying a seed gives the same utterances, observations, rewards.
        var replayOK = true
        var replayDetail = "replayed \(min(records.count, 3)) episodes: identical utterances, observations and rewards"
        for record in records.prefix(3) {
            do {
                let again = try await EpisodeRunner.run(environment, expert: expert, seed: record.seed, options: ResetOptions(split: split))
                let same = again.utterances == record.utterances
                    && again.steps.map(\.observation) == record.steps.map(\.observation)
                    && again.steps.map(\.reward) == record.steps.map(\.reward)
                if !same {
                    replayOK = false
                    replayDetail = "seed \(record.seed) (task \(record.task.id)) played differently the second time"
                    break
                }
            } catch {
                replayOK = false
                replayDetail = "replay of seed \(record.seed) failed: \(error)"
                break
            }
        }
        report.checks.append(.init(name: "episode determinism", ok: replayOK, detail: replayDetail))
        await environment.close()

        report.expertReturns = rewardStats(records)
        let byKind = Dictionary(grouping: records, by: { $0.task.kind })
        for kind in byKind.keys.sorted() {
            report.kinds.append(kindStats(kind, byKind[kind]!, spec: spec))
        }
        return finish(report)
    }

    static func rewardStats(_ records: [EpisodeRecord]) -> CheckReport.RewardStats? {
        let returns: [Double] = records.map(\.episodeReturn)
        guard !returns.isEmpty else { return nil }
        let n = Double(returns.count)
        let mean: Double = returns.reduce(0, +) / n
        var variance = 0.0
        for value in returns { variance += (value - mean) * (value - mean) }
        variance /= n
        let successes = Double(records.filter(\.success).count)
        var turns = 0
        for record in records { turns += record.steps.count }
        return CheckReport.RewardStats(
            episodes: returns.count, mean: mean, std: variance.squareRoot(), min: returns.min()!, max: returns.max()!,
            successRate: successes / n, meanTurns: Double(turns) / n)
    }

    static func kindStats(_ kind: String, _ group: [EpisodeRecord], spec: EnvironmentSpec) -> CheckReport.KindStats {
        let successes = group.filter(\.success).count
        let withFirst = group.filter { $0.task.firstAction != nil }
        var hits = 0
        for record in withFirst {
            if let first = record.utterances.first, EpisodeRunner.firstAction(of: first, spec: spec) == record.task.firstAction { hits += 1 }
        }
        var total = 0.0
        for record in group { total += record.episodeReturn }
        let n = Double(group.count)
        let rate: Double? = withFirst.isEmpty ? nil : Double(hits) / Double(withFirst.count)
        return CheckReport.KindStats(
            kind: kind, episodes: group.count, successes: successes, successRate: Double(successes) / n, meanReturn: total / n,
            firstActionExpected: withFirst.first?.task.firstAction, firstActionEpisodes: withFirst.count, firstActionHits: hits,
            firstActionRate: rate)
    }

    static func finish(_ report: CheckReport) -> CheckReport {
        var report = report
        report.ok = report.checks.allSatisfy(\.ok)
        return report
    }
}
