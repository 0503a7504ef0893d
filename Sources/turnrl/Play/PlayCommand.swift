import ArgumentParser
import EnvironmentKit
import Foundation
import Learners
import PolicyModels

/// `turnrl play ENV`: step through an episode in the terminal, as the policy or watching the expert.
struct PlayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "play",
        abstract: "Step through an episode interactively (you, or the expert on Enter).",
        discussion: """
            Shows the task, then reads one utterance per line (a line ending in \\ continues on the \
            next line) and shows the tool calls, results, reward components and running return. \
            With --policy expert, checkpoint:PATH (a trained policy decoding greedily) or a GGUF model \
            (smollm2-135m or a .gguf path: the instruct model as it is, greedy), an empty line steps it; with --policy openai:URL[#MODEL] (llama.cpp server, vLLM, Ollama, OpenAI; key from \
            $OPENAI_API_KEY) it asks the endpoint, whose native tool calls are written in the environment's \
            action format, and a failed request is reported as an infrastructure error without taking the \
            turn. Commands: :help, :context (exactly \
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

    @Option(help: "Who writes the utterances: human, expert, checkpoint:PATH (a `turnrl train` checkpoint folder), smollm2-135m or a .gguf path, or openai:URL[#MODEL] (an OpenAI-compatible endpoint; API key from $OPENAI_API_KEY).")
    var policy: String = "human"

    @OptionGroup var fewShot: FewShotOption

    @OptionGroup var options: EnvironmentOptions

    func validate() throws {
        guard Split(rawValue: split) != nil else { throw ValidationError("--split must be train or test") }
        if RemotePolicyAdapter.isRemote(policy) {
            do { _ = try OpenAIChatConfiguration.parse(policySpec: policy) } catch { throw ValidationError("--policy: \(error)") }
            return
        }
        guard ["human", "expert"].contains(policy) || LocalPolicySpec.isLocal(policy) else {
            throw ValidationError("--policy must be human, expert, checkpoint:PATH, \(ModelCatalog.names), a .gguf path or openai:URL[#MODEL]")
        }
    }

    func run() async throws {
        let provider = try await fewShot.load(environment, with: options)
        var session = PlaySession(
            provider: provider, environment: provider.makeEnvironment(), seed: seed,
            options: ResetOptions(split: Split(rawValue: split)!, taskID: task), useExpert: policy == "expert" || LocalPolicySpec.isLocal(policy))
        if RemotePolicyAdapter.isRemote(policy) { session.remote = try RemotePolicyAdapter(policySpec: policy, environment: provider.spec) }
        if LocalPolicySpec.isLocal(policy) { session.checkpointPolicy = try LocalPolicySpec.load(policy) }
        do {
            try await session.run()
        } catch {
            await provider.shutdown()
            throw error
        }
        await provider.shutdown()
    }
}
