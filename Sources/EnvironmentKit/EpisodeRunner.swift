import Foundation

/// One played episode: every utterance with the step it produced.
public struct EpisodeRecord: Sendable {
    public var seed: UInt64
    public var split: Split
    public var task: TaskRecord
    public var firstObservation: Observation
    public var utterances: [String]
    public var steps: [StepResult]

    /// Sum of the step rewards.
    public var episodeReturn: Double { steps.reduce(0) { $0 + $1.reward } }
    /// The answer step's success (false when the episode never answered).
    public var success: Bool { steps.last?.info.success ?? false }
    /// The first infrastructure error of the episode, if any.
    public var infraError: String? { steps.lazy.compactMap(\.info.infraError).first }
    /// Total tool time, milliseconds.
    public var toolMilliseconds: Double { steps.reduce(0) { $0 + $1.info.toolCalls.reduce(0) { $0 + $1.durationMs } } }
}

/// Runs episodes with a scripted expert.
public enum EpisodeRunner {
    /// Plays one episode of `environment` with `expert` from `seed`; stops when the episode ends
    /// or after `maxSteps` (a guard against an environment without a turn limit).
    public static func run(
        _ environment: any Environment, expert: any ExpertPolicy, seed: UInt64, options: ResetOptions = ResetOptions(), maxSteps: Int = 1000
    ) async throws -> EpisodeRecord {
        let first = try await environment.reset(seed: seed, options: options)
        guard let task = await environment.currentTask else {
            throw EnvironmentError.episodeNotStarted(environment: environment.spec.name)
        }
        var record = EpisodeRecord(seed: seed, split: options.split, task: task, firstObservation: first, utterances: [], steps: [])
        while record.steps.count < maxSteps {
            let utterance = try await expert.act(task: task, messages: await environment.messages, seed: seed)
            let result = await environment.step(utterance)
            record.utterances.append(utterance)
            record.steps.append(result)
            if result.done { break }
        }
        return record
    }

    /// The action an utterance starts with: its first tool call's name, "answer" for an answer
    /// alone, nil when it does not parse.
    public static func firstAction(of utterance: String, spec: EnvironmentSpec) -> String? {
        let parsed = spec.actionFormat.parser.parse(utterance, tools: spec.tools)
        if let call = parsed.toolCalls.first { return call.name }
        return parsed.answer != nil ? "answer" : nil
    }
}
