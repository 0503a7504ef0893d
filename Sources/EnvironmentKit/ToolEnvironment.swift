import Foundation
import ToolSandbox

/// A task list per split.
public struct TaskSet: Sendable, Equatable {
    public var train: [TaskRecord]
    public var test: [TaskRecord]

    public init(train: [TaskRecord], test: [TaskRecord]) {
        self.train = train
        self.test = test
    }

    public func tasks(_ split: Split) -> [TaskRecord] { split == .train ? train : test }

    /// The task `seed` picks from `split` (SplitMix64 of the seed, modulo the count), so the
    /// same seed always gives the same task.
    public func task(seed: UInt64, split: Split) -> TaskRecord? {
        let list = tasks(split)
        guard !list.isEmpty else { return nil }
        return list[Int(splitMix64(seed) % UInt64(list.count))]
    }
}

/// SplitMix64's output function (Steele et al. 2014): a well-mixed 64-bit hash of `x`.
public func splitMix64(_ x: UInt64) -> UInt64 {
    var z = x &+ 0x9E37_79B9_7F4A_7C15
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
}

/// The standard tool-using environment: a system prompt, tasks, tools, an action format and a
/// verifier. Folder environments (env.yaml) and Swift-native ones are both this actor; turn
/// limits and other cross-cutting behaviour are wrappers (`TimeLimit`, `ObservationCap`,
/// `RewardShaping`).
public actor ToolEnvironment: Environment {
    public nonisolated let spec: EnvironmentSpec
    let tools: [String: any Tool]
    let verifier: any Verifier
    let taskSet: TaskSet
    let reward: RewardSettings
    let format: any ActionFormat
    /// Each tool result is cut to this many characters (with a marker).
    let resultCap: Int

    private var task: TaskRecord?
    private var seed: UInt64 = 0
    private var history: [ChatMessage] = []
    private var turn = 0
    private var over = true
    private var episode = EpisodeResources()

    public init(
        spec: EnvironmentSpec, tools: [any Tool], verifier: any Verifier, tasks: TaskSet,
        reward: RewardSettings = RewardSettings(), observationCapChars: Int = 2000
    ) {
        var spec = spec
        spec.tools = tools.map(\.descriptor)
        self.spec = spec
        self.tools = Dictionary(tools.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        self.verifier = verifier
        self.taskSet = tasks
        self.reward = reward
        self.format = spec.actionFormat.parser
        self.resultCap = observationCapChars
    }

    public var messages: [ChatMessage] { history }
    public var currentTask: TaskRecord? { task }

    public func reset(seed: UInt64, options: ResetOptions) async throws -> Observation {
        await episode.close()
        episode = EpisodeResources()
        let chosen: TaskRecord?
        if let id = options.taskID {
            chosen = taskSet.tasks(options.split).first { $0.id == id }
            if chosen == nil { throw EnvironmentError.unknownTask(id: id, split: options.split.rawValue, environment: spec.name) }
        } else {
            chosen = taskSet.task(seed: seed, split: options.split)
        }
        guard let chosen else {
            throw EnvironmentError.unavailable(what: "the \(options.split.rawValue) split (it has no tasks)", environment: spec.name, fix: "Add tasks to the split.")
        }
        task = chosen
        self.seed = seed
        turn = 0
        over = false
        history = [ChatMessage(role: .system, content: spec.systemPrompt), ChatMessage(role: .user, content: chosen.prompt)]
        return Observation(text: chosen.prompt, role: .user)
    }

    public func close() async {
        over = true
        await episode.close()
    }

    public func step(_ utterance: String) async -> StepResult {
        var info = StepInfo()
        guard let task, !over else {
            info.infraError = EnvironmentError.episodeNotStarted(environment: spec.name).description
            return StepResult(observation: Observation(text: "<error>the episode is over; reset first</error>", role: .tool), reward: 0, terminated: false, truncated: true, info: info)
        }
        turn += 1
        info.turn = turn
        info.taskID = task.id
        history.append(ChatMessage(role: .assistant, content: utterance))
        let parsed = format.parse(utterance, tools: spec.tools)
        var parts: [String] = []
        if let error = parsed.formatError {
            info.formatError = error
            parts.append("<error>\(error)</error>")
            if reward.formatPenalty != 0 { info.rewardComponents.append(RewardComponent(name: "format_penalty", value: reward.formatPenalty)) }
        }
        let context = ToolContext(task: task, seed: seed, episode: episode)
        for call in parsed.toolCalls {
            let started = ContinuousClock.now
            var output: ToolResult
            if let tool = tools[call.name] {
                if let problem = spec.tools.first(where: { $0.name == call.name })?.problem(with: call.arguments) {
                    output = ToolResult(text: problem, isError: true)
                } else {
                    do {
                        output = try await tool.call(call.arguments, context: context)
                    } catch {
                        info.infraError = "\(error)"
                        output = ToolResult(text: "tool \(call.name) failed (not your fault); the episode is stopped", isError: true)
                    }
                }
            } else {
                output = ToolResult(text: "unknown tool \(call.name)", isError: true)
            }
            let elapsed = ContinuousClock.now - started
            let milliseconds = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
            info.toolCalls.append(ToolCallRecord(call: call, output: output.text, isError: output.isError, durationMs: milliseconds))
            let (shown, cut) = Self.cap(output.text, to: resultCap)
            info.observationCutCharacters += cut
            parts.append("<result name=\"\(call.name)\">\(shown)</result>")
            if info.infraError != nil { break }
        }
        var terminated = false
        if info.infraError == nil, let answer = parsed.answer {
            info.answer = answer
            do {
                let verdict = try await verifier.verify(task: task, answer: answer, trajectory: history)
                info.rewardComponents += verdict
                let right = verdict.first(where: { $0.name == "_success" }).map { $0.value >= 0.5 } ?? (rewardTotal(verdict) > 0)
                info.success = right
                if right || spec.wrongAnswer == .end {
                    terminated = true
                } else {
                    parts.append(Self.wrongAnswerObservation)
                }
            } catch {
                info.infraError = "\(error)"
            }
        }
        if !terminated && reward.perTurn != 0 {
            info.rewardComponents.append(RewardComponent(name: "per_turn", value: reward.perTurn))
        }
        let truncated = info.infraError != nil
        if terminated || truncated {
            over = true
            await episode.close()
            if truncated { parts.append("<error>the episode was stopped by an infrastructure failure (a tool or the verifier broke)</error>") }
        }
        let text = parts.joined(separator: "\n")
        if !text.isEmpty { history.append(ChatMessage(role: .tool, content: text)) }
        let total = rewardTotal(info.rewardComponents)
        return StepResult(observation: Observation(text: text, role: .tool), reward: total, terminated: terminated, truncated: truncated, info: info)
    }

    /// What the policy sees after a wrong answer when `wrongAnswer` is `.continue`.
    public static let wrongAnswerObservation = "<result name=\"answer\">wrong</result>"

    /// `text` cut to `limit` characters with a marker saying how many were cut.
    static func cap(_ text: String, to limit: Int) -> (String, Int) {
        let count = text.count
        guard count > limit else { return (text, 0) }
        let cut = count - limit
        return (String(text.prefix(limit)) + "…[cut \(cut) chars]", cut)
    }
}
