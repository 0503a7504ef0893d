import EnvironmentKit
import Foundation
import Learners
import Trajectories

/// `turnrl eval --policy openai:…`: evaluation episodes whose utterances an OpenAI-compatible
/// endpoint writes (through `RemotePolicyAdapter`, as in `turnrl play`). A failed request
/// (timeout, refused connection, HTTP error after the retries) ends the episode as an
/// infrastructure error: counted in `infraErrors`, left out of every score.
enum RemoteEvaluation {
    /// A guard against an environment without a turn limit; environments truncate far earlier.
    static let maxTurns = 64

    /// Plays seeds 0..<episodes of `split` one after another.
    static func evaluate(adapter: RemotePolicyAdapter, provider: any EnvironmentProvider, split: Split, episodes: Int,
                         mode: String, seed: UInt64, progress: (Int) -> Void) async throws -> EvaluationSummary {
        var played: [PlayedEpisode] = []
        for episode in 0..<episodes {
            played.append(try await play(adapter: adapter, provider: provider, split: split, seed: UInt64(episode)))
            progress(episode + 1)
        }
        return EvaluationSummary(mode: mode, episodes: played, seed: seed)
    }

    /// One episode; token fields stay empty (the endpoint's tokens are not ours to record).
    static func play(adapter: RemotePolicyAdapter, provider: any EnvironmentProvider, split: Split, seed: UInt64) async throws -> PlayedEpisode {
        let environment = provider.makeEnvironment()
        _ = try await environment.reset(seed: seed, options: ResetOptions(split: split))
        let task = await environment.currentTask
        var turns: [TurnRecord] = []
        var status = EpisodeStatus.truncated
        var infraError: String?
        var success = false
        var toolCalls = 0
        for _ in 0..<maxTurns {
            let messages = provider.spec.context.withExamples(await environment.messages)
            let text: String
            do { text = try await adapter.utterance(messages: messages).text } catch {
                status = .infraError
                infraError = "policy endpoint: \(error)"
                break
            }
            let result = await environment.step(text)
            turns.append(TurnRecord(contextTokens: [], generatedTokens: [], logProbs: [], reward: result.reward,
                                    toolCalls: result.info.toolCalls, messagesBefore: messages, utterance: text))
            toolCalls += result.info.toolCalls.count
            if let error = result.info.infraError {
                status = .infraError
                infraError = error
                break
            }
            if result.done {
                success = result.info.success ?? false
                status = result.terminated ? .terminated : .truncated
                break
            }
        }
        await environment.close()
        let record = EpisodeRecordData(
            environment: provider.spec.name, taskID: task?.id ?? "", split: split.rawValue, seed: seed,
            episodeReturn: turns.reduce(0) { $0 + $1.reward }, status: status, infraError: infraError, turns: turns)
        return PlayedEpisode(record: record, taskKind: task?.kind ?? "", success: success, toolCalls: toolCalls)
    }
}
