import EnvServer
import EnvironmentKit
import Foundation
import HummingbirdWSClient
import Logging
import ToolSandbox

/// One episode's connection to an environment, as the load driver sees it: a served session
/// over a WebSocket, or an environment stepped in-process (the peer).
protocol EpisodeTransport {
    /// Starts an episode; returns the prompt and the task id.
    mutating func reset(seed: UInt64, split: Split) async throws -> (prompt: String, taskID: String)
    /// Sends an utterance; returns what the environment answered.
    mutating func step(_ utterance: String) async throws -> (text: String, done: Bool, infraError: String?)
}

/// Plays the environment's expert for a fixed number of steps (resetting after each episode)
/// and times every step round trip, expert time excluded.
struct ExpertSessionDriver: Sendable {
    let provider: any EnvironmentProvider
    let expert: any ExpertPolicy
    let split: Split

    struct Outcome: Sendable {
        var latenciesMs: [Double] = []
        var episodes = 0
        var infraErrors = 0
    }

    /// `seedBase` keeps sessions on different tasks.
    func run(steps: Int, seedBase: UInt64, transport: inout some EpisodeTransport, progress: @Sendable () async -> Void) async throws -> Outcome {
        var outcome = Outcome()
        var episode: UInt64 = 0
        while outcome.latenciesMs.count < steps {
            let seed = seedBase &+ episode
            episode += 1
            let (prompt, taskID) = try await transport.reset(seed: seed, split: split)
            guard let task = provider.tasks.tasks(split).first(where: { $0.id == taskID }) else {
                throw WireError(.executionError, "reset returned task \(taskID), which is not in the \(split.rawValue) split")
            }
            // The conversation as the environment builds it: system, prompt, then per step the
            // utterance and (when not empty) the tool message.
            var messages = [ChatMessage(role: .system, content: provider.spec.systemPrompt), ChatMessage(role: .user, content: prompt)]
            while outcome.latenciesMs.count < steps {
                let utterance = try await expert.act(task: task, messages: messages, seed: seed)
                let start = ContinuousClock.now
                let reply = try await transport.step(utterance)
                outcome.latenciesMs.append(Self.milliseconds(ContinuousClock.now - start))
                await progress()
                messages.append(ChatMessage(role: .assistant, content: utterance))
                if !reply.text.isEmpty { messages.append(ChatMessage(role: .tool, content: reply.text)) }
                if reply.infraError != nil { outcome.infraErrors += 1 }
                if reply.done { break }
            }
            outcome.episodes += 1
        }
        return outcome
    }

    static func milliseconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
    }
}

/// The peer: the same environment stepped in this process, no network.
struct InProcessTransport: EpisodeTransport {
    let environment: any Environment

    mutating func reset(seed: UInt64, split: Split) async throws -> (prompt: String, taskID: String) {
        let observation = try await environment.reset(seed: seed, options: ResetOptions(split: split))
        return (observation.text, await environment.currentTask?.id ?? "")
    }

    mutating func step(_ utterance: String) async throws -> (text: String, done: Bool, infraError: String?) {
        let result = await environment.step(utterance)
        return (result.observation.text, result.done, result.info.infraError)
    }
}

/// A served session: OpenEnv's messages over one WebSocket connection.
struct WebSocketTransport: EpisodeTransport {
    var inbound: WebSocketInboundMessageStream.AsyncIterator
    let outbound: WebSocketOutboundWriter

    /// Sends one message and reads the reply; an error reply throws it.
    mutating func request(_ message: JSONValue) async throws -> [String: JSONValue] {
        try await outbound.write(.text(WireFormat.text(message)))
        guard let frame = try await inbound.next() else { throw WireError(.sessionError, "the server closed the connection") }
        guard case .text(let text) = frame else { throw WireError(.invalidJSON, "the server sent a binary frame") }
        let reply = try WireFormat.parseObject(text)
        if reply["type"] == .string("error"), case .object(let data)? = reply["data"] {
            let code = data["code"].flatMap { if case .string(let s) = $0 { WireErrorCode(rawValue: s) } else { nil } } ?? .executionError
            let message = if case .string(let s)? = data["message"] { s } else { "" }
            throw WireError(code, message)
        }
        return reply
    }

    mutating func reset(seed: UInt64, split: Split) async throws -> (prompt: String, taskID: String) {
        let observation = try Self.observation(try await request(.object(["type": .string("reset"), "data": .object(["seed": .int(Int(seed)), "split": .string(split.rawValue)])])))
        return (Self.string(observation["text"]), Self.string(observation["task_id"]))
    }

    mutating func step(_ utterance: String) async throws -> (text: String, done: Bool, infraError: String?) {
        let reply = try await request(.object(["type": .string("step"), "data": .object(["message": .string(utterance)])]))
        let observation = try Self.observation(reply)
        guard case .object(let data)? = reply["data"], case .bool(let done)? = data["done"] else {
            throw WireError(.validationError, "a step reply without data.done")
        }
        let infra = if case .string(let s)? = observation["infra_error"] { s } else { String?.none }
        return (Self.string(observation["text"]), done, infra)
    }

    static func observation(_ reply: [String: JSONValue]) throws -> [String: JSONValue] {
        guard case .object(let data)? = reply["data"], case .object(let observation)? = data["observation"] else {
            throw WireError(.validationError, "a reply without data.observation: \(WireFormat.text(.object(reply)))")
        }
        return observation
    }

    static func string(_ value: JSONValue?) -> String {
        if case .string(let text)? = value { return text }
        return ""
    }
}
