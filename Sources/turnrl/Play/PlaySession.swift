import EnvironmentKit
import Foundation
import Learners
import PolicyModels
import TensorCore
import ToolSandbox

/// The loop behind `turnrl play`: show, read a line, step or run a command.
struct PlaySession {
    let provider: any EnvironmentProvider
    let environment: any Environment
    let seed: UInt64
    let options: ResetOptions
    /// Enter steps an automatic player: the expert, or `checkpointPolicy` when set.
    let useExpert: Bool
    /// `--policy openai:…`: the endpoint writes the utterances (Enter steps it).
    var remote: RemotePolicyAdapter?
    /// A trained policy (`--policy checkpoint:PATH`), decoding greedily.
    var checkpointPolicy: (any TurnPolicy)? {
        didSet { turnCache = checkpointPolicy?.makeTurnCache() }
    }
    /// What the policy read on its last turn (matched by content, so `:undo` is safe).
    private var turnCache: (any TurnCache)?
    /// Who writes the utterances, for the header line.
    private var policyName: String {
        remote != nil ? "openai" : checkpointPolicy != nil ? "checkpoint" : useExpert ? "expert" : "human"
    }
    private var utterances: [String] = []
    private var steps: [StepResult] = []
    private var firstObservation: Observation?
    private let interactive = isatty(STDIN_FILENO) != 0

    init(provider: any EnvironmentProvider, environment: any Environment, seed: UInt64, options: ResetOptions, useExpert: Bool) {
        self.provider = provider
        self.environment = environment
        self.seed = seed
        self.options = options
        self.useExpert = useExpert
    }

    var episodeReturn: Double { steps.reduce(0) { $0 + $1.reward } }
    var isOver: Bool { steps.last?.done ?? false }

    mutating func run() async throws {
        if useExpert && checkpointPolicy == nil && provider.expert == nil {
            throw EnvironmentError.unavailable(what: "an expert (expert.py)", environment: provider.spec.name, fix: "Use --policy human.")
        }
        let observation = try await environment.reset(seed: seed, options: options)
        firstObservation = observation
        let task = await environment.currentTask
        print("== \(provider.spec.name) \(provider.spec.version) · task \(task?.id ?? "?") (\(task?.kind ?? "?")) · seed \(seed) · \(options.split.rawValue) · policy \(policyName)")
        print("Type :help for commands.\n")
        print("[user] \(observation.text)")
        while true {
            if interactive { print(useExpert || remote != nil ? "(Enter = policy step) > " : "> ", terminator: ""); fflush(nil) }
            guard let line = readUtterance() else { break }
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix(":") {
                if try await command(trimmed) { break }
                continue
            }
            if isOver {
                print("The episode is over (return \(format(episodeReturn))). :undo, :save FILE, :context or :quit.")
                continue
            }
            var utterance = line
            if let remote {
                guard trimmed.isEmpty else {
                    print("With --policy openai:…, press Enter to step the endpoint's policy (or use a :command).")
                    continue
                }
                do {
                    utterance = try await remote.utterance(messages: await policyMessages()).text
                } catch {
                    // Infrastructure, not the policy's move: the environment is not stepped, nothing is scored.
                    print("INFRASTRUCTURE ERROR (policy endpoint, turn not taken): \(error)")
                    continue
                }
            } else if useExpert {
                guard trimmed.isEmpty else {
                    print("With --policy expert, press Enter to step the expert (or use a :command).")
                    continue
                }
                do {
                    if let policy = checkpointPolicy {
                        utterance = try policyUtterance(policy, messages: await policyMessages())
                    } else {
                        utterance = try await provider.expert!.act(task: task!, messages: await environment.messages, seed: seed)
                    }
                } catch {
                    print("\(checkpointPolicy != nil ? "policy" : "expert") failed: \(error)")
                    continue
                }
            } else if trimmed.isEmpty {
                continue
            }
            let result = await environment.step(utterance)
            utterances.append(utterance)
            steps.append(result)
            show(utterance: utterance, result: result)
        }
        await environment.close()
    }

    /// One utterance: a line, joined with the following ones while it ends in a backslash.
    func readUtterance() -> String? {
        guard var line = readLine(strippingNewline: true) else { return nil }
        while line.hasSuffix("\\") {
            line.removeLast()
            guard let next = readLine(strippingNewline: true) else { break }
            line += "\n" + next
        }
        return line
    }

    /// What a policy sees now: the episode's messages with any worked examples after the system prompt.
    func policyMessages() async -> [ChatMessage] {
        provider.spec.context.withExamples(await environment.messages)
    }

    func format(_ value: Double) -> String { String(format: "%.3f", value) }

    /// The policy's greedy reply to the conversation so far, rendered in its chat template
    /// (`ContextTokenizer`, so rendering the messages gives the ids a rollout would have used).
    func policyUtterance(_ policy: any TurnPolicy, messages: [ChatMessage]) throws -> String {
        let template = policy.contextTokenizer
        let context = messages.flatMap { template.tokens(for: $0) } + template.replyOpening
        let room = policy.contextLength - context.count
        guard room > 0 else { throw PolicyModelsError.contextOverflow(length: context.count, maximum: policy.contextLength) }
        var rng = SeededRNG(seed: seed)
        return try policy.generate(contexts: [context], sampling: .greedy(maxNewTokens: min(256, room)), rng: &rng, cache: turnCache)[0].text
    }

    func show(utterance: String, result: StepResult) {
        print("\n[assistant, turn \(result.info.turn)] \(utterance)")
        for record in result.info.toolCalls {
            print("  → \(record.call.name) \(String(describing: JSONValue.object(record.call.arguments))) (\(String(format: "%.1f", record.durationMs)) ms\(record.isError ? ", error" : ""))")
            print("    " + displayCut(record.output, 2000).replacingOccurrences(of: "\n", with: "\n    "))
        }
        if let error = result.info.formatError { print("  format error: \(error)") }
        if let infra = result.info.infraError { print("  INFRASTRUCTURE ERROR: \(infra)") }
        let components = result.info.rewardComponents.map { "\($0.name) \(format($0.value))" }.joined(separator: ", ")
        print("  reward \(format(result.reward))\(components.isEmpty ? "" : " [\(components)]") · return \(format(episodeReturn))")
        print("\n[observation] \(result.observation.text)")
        if result.done {
            let how = result.terminated ? "terminated" : "truncated\(result.info.truncatedBy.map { " (\($0))" } ?? "")"
            let success = result.info.success.map { $0 ? ", success" : ", no success" } ?? ""
            print("== episode \(how) after \(steps.count) turn(s): return \(format(episodeReturn))\(success)")
        }
    }

    /// Runs a `:command`; returns true to quit.
    mutating func command(_ line: String) async throws -> Bool {
        let parts = line.split(separator: " ", maxSplits: 1).map(String.init)
        switch parts[0] {
        case ":quit", ":q", ":exit":
            return true
        case ":help":
            print("""
                Write an utterance in the environment's action format (\(provider.spec.actionFormat.rawValue)); end a line with \\ to continue it.
                \(useExpert ? "Press Enter to let the \(policyName) policy take the next turn.\n" : "")\(remote != nil ? "Press Enter to let the endpoint's policy take the next turn.\n" : ""):context   exactly what the model sees now (system prompt + messages)
                :undo      rewind one turn (replays the episode from reset without the last utterance)
                :save FILE write the episode as JSONL
                :quit      leave
                """)
        case ":context":
            for message in await policyMessages() { print("--- \(message.role.rawValue)\n\(message.content)") }
            print("---")
        case ":undo":
            guard !utterances.isEmpty else {
                print("nothing to undo")
                return false
            }
            let kept = Array(utterances.dropLast())
            _ = try await environment.reset(seed: seed, options: options)
            utterances = []
            steps = []
            for utterance in kept {
                steps.append(await environment.step(utterance))
                utterances.append(utterance)
            }
            print("undone: back to turn \(steps.count) (return \(format(episodeReturn)))")
        case ":save":
            guard parts.count == 2 else {
                print("usage: :save FILE")
                return false
            }
            try await save(to: parts[1])
            print("saved \(steps.count) turn(s) to \(parts[1])")
        default:
            print("unknown command \(parts[0]); :help lists them")
        }
        return false
    }

    /// JSONL: an `episode` header line (environment, seed, split, task, system prompt, first
    /// observation), then one `turn` line per step.
    func save(to path: String) async throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        struct Header: Encodable {
            let type = "episode"
            var environment: String
            var version: String
            var seed: UInt64
            var split: String
            var taskID: String
            var systemPrompt: String
            var observation: String
        }
        struct Turn: Encodable {
            let type = "turn"
            var turn: Int
            var utterance: String
            var observation: String
            var reward: Double
            var terminated: Bool
            var truncated: Bool
            var info: StepInfo
        }
        let task = await environment.currentTask
        var lines = [try encoder.encode(Header(
            environment: provider.spec.name, version: provider.spec.version, seed: seed, split: options.split.rawValue, taskID: task?.id ?? "",
            systemPrompt: provider.spec.systemPrompt, observation: firstObservation?.text ?? ""))]
        for (index, step) in steps.enumerated() {
            lines.append(try encoder.encode(Turn(
                turn: index + 1, utterance: utterances[index], observation: step.observation.text, reward: step.reward,
                terminated: step.terminated, truncated: step.truncated, info: step.info)))
        }
        var data = Data()
        for line in lines { data.append(line); data.append(0x0A) }
        try data.write(to: URL(fileURLWithPath: path))
    }
}
