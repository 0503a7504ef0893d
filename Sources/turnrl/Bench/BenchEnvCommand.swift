import ArgumentParser
import EnvironmentKit
import Foundation

/// `turnrl bench env`: the environment layer's own cost per step (a no-op tool), and full expert
/// episodes of every built-in environment with tool and expert time shown apart.
struct BenchEnvCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "env",
        abstract: "Environment step overhead (no-op tool) and expert episodes/s per built-in environment.",
        discussion: """
            Step overhead: a ToolEnvironment (tags format, TimeLimit wrapper) whose one tool does \
            nothing, stepped with `<noop>x</noop>`; next to it, in the same run, the parse alone and a \
            format-error step (no tool). Target: >= 20,000 steps/s. Episodes: the expert plays \
            --episodes test seeds of each built-in environment; tool time (sandbox/search calls, as \
            the environment timed them) and expert time (expert.py calls in the sandbox) are shown \
            apart from the rest ("other": parsing, rendering, verifier calls, opening and closing the \
            episode's Python session). --json prints {"stepOverhead": {...}, "environments": [...]}.
            """)

    @Option(help: "Steps timed for the overhead rows.")
    var steps = 200_000

    @Option(help: "Expert episodes per built-in environment (0 skips them).")
    var episodes = 10

    @Option(help: "Only these built-in environments (comma-separated names).")
    var only: String?

    @Flag(help: "Print one JSON object.")
    var json = false

    @OptionGroup var options: EnvironmentOptions

    struct Overhead: Encodable {
        var steps: Int
        var stepsPerSecond: Double
        var microsecondsPerStep: Double
        var formatErrorStepsPerSecond: Double
        var parseOnlyMicroseconds: Double
        var target: Double
        var meetsTarget: Bool
    }

    struct EnvironmentRow: Encodable {
        var name: String
        var episodes: Int
        var episodesPerSecond: Double
        var meanTurns: Double
        var toolMsPerEpisode: Double
        var expertMsPerEpisode: Double
        var otherMsPerEpisode: Double
        var successRate: Double
        var infraErrors: Int
        var problem: String?
    }

    struct Report: Encodable {
        var stepOverhead: Overhead
        var environments: [EnvironmentRow]
    }

    func run() async throws {
        let overhead = await measureOverhead()
        var rows: [EnvironmentRow] = []
        if episodes > 0 {
            let wanted = only.map { Set($0.split(separator: ",").map(String.init)) }
            let registry = EnvironmentRegistry.standard()
            for entry in try registry.entries() where entry.source == .builtin && (wanted?.contains(entry.name) ?? true) {
                rows.append(await measureEpisodes(entry, registry: registry))
            }
        }
        let report = Report(stepOverhead: overhead, environments: rows)
        if json {
            try JSONOutput.print(report)
            return
        }
        print(String(format: "step overhead (no-op tool): %.0f steps/s (%.2f µs/step; target >= 20,000: %@)", overhead.stepsPerSecond, overhead.microsecondsPerStep, overhead.meetsTarget ? "met" : "NOT met"))
        print(String(format: "  format-error step (no tool): %.0f steps/s; parse alone: %.2f µs", overhead.formatErrorStepsPerSecond, overhead.parseOnlyMicroseconds))
        if !rows.isEmpty {
            print("")
            printTable(
                ["ENVIRONMENT", "EPISODES", "EPISODES/S", "TURNS", "TOOL MS/EP", "EXPERT MS/EP", "OTHER MS/EP", "SUCCESS"],
                rows.map { row in
                    row.problem != nil ? [row.name, "-", "-", "-", "-", "-", "-", displayCut(row.problem!, 60)] :
                    [row.name, String(row.episodes), String(format: "%.2f", row.episodesPerSecond), String(format: "%.1f", row.meanTurns),
                     String(format: "%.1f", row.toolMsPerEpisode), String(format: "%.1f", row.expertMsPerEpisode), String(format: "%.1f", row.otherMsPerEpisode),
                     String(format: "%.0f%%", row.successRate * 100)]
                })
        }
    }

    func measureOverhead() async -> Overhead {
        let spec = EnvironmentSpec(name: "bench-noop", systemPrompt: "Call <noop>…</noop>.", maxTurns: Int.max)
        let provider = NativeEnvironment(
            spec: spec, tasks: TaskSet(train: [TaskRecord(id: "t", kind: "noop", prompt: "noop", answer: .string("x"))], test: []),
            tools: [NoOpTool()], verifier: ExactMatchVerifier())
        let environment = provider.makeEnvironment()
        let perEpisode = 500
        func timeSteps(_ utterance: String, count: Int) async -> Double {
            let start = BenchTiming.now()
            var done = 0
            while done < count {
                _ = try? await environment.reset(seed: UInt64(done))
                for _ in 0..<min(perEpisode, count - done) { _ = await environment.step(utterance) }
                done += perEpisode
            }
            return BenchTiming.now() - start
        }
        _ = await timeSteps("<noop>x</noop>", count: min(steps, 5_000))  // warm-up
        let seconds = await timeSteps("<noop>x</noop>", count: steps)
        let errorSeconds = await timeSteps("no action here", count: steps / 4)
        let format = TagActionFormat()
        let tools = provider.makeEnvironment().spec.tools
        let parses = steps
        let parseStart = BenchTiming.now()
        var calls = 0
        for _ in 0..<parses { calls += format.parse("<noop>x</noop>", tools: tools).toolCalls.count }
        let parseSeconds = BenchTiming.now() - parseStart
        precondition(calls == parses)
        let rate = Double(steps) / seconds
        return Overhead(
            steps: steps, stepsPerSecond: rate, microsecondsPerStep: seconds / Double(steps) * 1e6,
            formatErrorStepsPerSecond: Double(steps / 4) / errorSeconds, parseOnlyMicroseconds: parseSeconds / Double(parses) * 1e6,
            target: 20_000, meetsTarget: rate >= 20_000)
    }

    func measureEpisodes(_ entry: RegistryEntry, registry: EnvironmentRegistry) async -> EnvironmentRow {
        var row = EnvironmentRow(name: entry.name, episodes: 0, episodesPerSecond: 0, meanTurns: 0, toolMsPerEpisode: 0, expertMsPerEpisode: 0, otherMsPerEpisode: 0, successRate: 0, infraErrors: 0)
        do {
            let provider = try await registry.load(entry, runtime: try options.runtime())
            guard let expert = provider.expert else {
                row.problem = "skipped: no expert.py"
                await provider.shutdown()
                return row
            }
            let timed = TimedExpert(inner: expert)
            let environment = provider.makeEnvironment()
            _ = try await EpisodeRunner.run(environment, expert: timed, seed: 10_000, options: ResetOptions(split: .test))  // warm-up
            await timed.reset()
            var records: [EpisodeRecord] = []
            let start = BenchTiming.now()
            for seed in 0..<UInt64(episodes) {
                records.append(try await EpisodeRunner.run(environment, expert: timed, seed: seed, options: ResetOptions(split: .test)))
            }
            let seconds = BenchTiming.now() - start
            await provider.shutdown()
            let n = Double(records.count)
            row.episodes = records.count
            row.episodesPerSecond = n / seconds
            row.meanTurns = Double(records.reduce(0) { $0 + $1.steps.count }) / n
            row.toolMsPerEpisode = records.reduce(0) { $0 + $1.toolMilliseconds } / n
            row.expertMsPerEpisode = await timed.totalMilliseconds / n
            row.otherMsPerEpisode = seconds * 1000 / n - row.toolMsPerEpisode - row.expertMsPerEpisode
            row.successRate = Double(records.filter(\.success).count) / n
            row.infraErrors = records.filter { $0.infraError != nil }.count
        } catch {
            row.problem = "error: \(error)"
        }
        return row
    }
}

/// An expert wrapper that adds up the time spent choosing utterances.
actor ExpertTimer {
    var milliseconds = 0.0
    func add(_ value: Double) { milliseconds += value }
    func reset() { milliseconds = 0 }
}

struct TimedExpert: ExpertPolicy {
    let inner: any ExpertPolicy
    let timer = ExpertTimer()

    func act(task: TaskRecord, messages: [ChatMessage], seed: UInt64) async throws -> String {
        let start = BenchTiming.now()
        let text = try await inner.act(task: task, messages: messages, seed: seed)
        await timer.add((BenchTiming.now() - start) * 1000)
        return text
    }

    func reset() async { await timer.reset() }
    var totalMilliseconds: Double { get async { await timer.milliseconds } }
}
