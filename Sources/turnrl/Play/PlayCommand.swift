import ArgumentParser
import EnvironmentKit
import Foundation
import Learners

/// `turnrl play ENV`: step through an episode in the terminal, as the policy or watching the expert.
struct PlayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "play",
        abstract: "Step through an episode interactively (you, or the expert on Enter).",
        discussion: """
            Shows the task, then reads one utterance per line (a line ending in \\ continues on the \
            next line) and shows the tool calls, results, reward components and running return. \
            With --policy expert (or checkpoint:PATH, a trained policy decoding greedily), an empty line \
            steps it. Commands: :help, :context (exactly \
            what the model sees now), :undo (rewind one turn by replaying the episode from reset), \
            :save FILE (the episode as JSONL), :quit. Works with stdin not a terminal (scripted: one \
            line per utterance or command); end of input quits.
            """)

    @Argument(help: "Environment name or folder.")
    var environment: String

    @Option(help: "Seed: picks the task and seeds the expert.")
    var seed: UInt64 = 0

    @Option(help: "Split: train or test.")
    var split: String = "train"

    @Option(help: "Play this task id instead of the one the seed picks.")
    var task: String?

    @Option(help: "Who writes the utterances: human, expert, or checkpoint:PATH (a `turnrl train` checkpoint folder).")
    var policy: String = "human"

    @OptionGroup var options: EnvironmentOptions

    func validate() throws {
        guard Split(rawValue: split) != nil else { throw ValidationError("--split must be train or test") }
        guard ["human", "expert"].contains(policy) || policy.hasPrefix("checkpoint:") else {
            throw ValidationError("--policy must be human, expert or checkpoint:PATH")
        }
    }

    func run() async throws {
        let provider = try await options.load(environment)
        var session = PlaySession(
            provider: provider, environment: provider.makeEnvironment(), seed: seed,
            options: ResetOptions(split: Split(rawValue: split)!, taskID: task), useExpert: policy != "human")
        if policy.hasPrefix("checkpoint:") {
            session.checkpointPolicy = try GPT2Policy.load(folder: URL(fileURLWithPath: String(policy.dropFirst("checkpoint:".count))))
        }
        do {
            try await session.run()
        } catch {
            await provider.shutdown()
            throw error
        }
        await provider.shutdown()
    }
}
