import Foundation
import ToolSandbox

/// A scripted policy: the next utterance for (task, conversation so far, seed), deterministic.
public protocol ExpertPolicy: Sendable {
    func act(task: TaskRecord, messages: [ChatMessage], seed: UInt64) async throws -> String
}

/// An expert given as a Swift closure (Swift-native environments, tests).
public struct ScriptedExpert: ExpertPolicy {
    public let script: @Sendable (TaskRecord, [ChatMessage], UInt64) -> String

    public init(_ script: @escaping @Sendable (TaskRecord, [ChatMessage], UInt64) -> String) {
        self.script = script
    }

    public func act(task: TaskRecord, messages: [ChatMessage], seed: UInt64) async throws -> String {
        script(task, messages, seed)
    }
}

/// Everything needed to run an environment: its spec and tasks, a factory for independent
/// episodes (one `Environment` per concurrent rollout), an optional expert. Folder environments
/// are `EnvironmentPackage`s; Swift-native ones are usually `NativeEnvironment`s.
public protocol EnvironmentProvider: Sendable {
    var spec: EnvironmentSpec { get }
    var tasks: TaskSet { get }
    /// Where it came from (a folder path, or "swift:<name>").
    var source: String { get }
    var expert: (any ExpertPolicy)? { get }
    /// A fresh environment, already wrapped (turn limit).
    func makeEnvironment() -> any Environment
    /// Stops sandbox workers and removes temporary files.
    func shutdown() async
}

extension EnvironmentProvider {
    /// This provider with its spec's context settings changed by `change` (worked examples,
    /// another compaction mode for an ablation); tasks, tools, expert and environments are shared.
    public func withContext(_ change: (inout ContextSettings) -> Void) -> any EnvironmentProvider {
        var spec = spec
        change(&spec.context)
        return ProviderWithContext(base: self, spec: spec)
    }
}

/// A provider whose spec's context settings differ from its base's; everything else is the base's.
private struct ProviderWithContext: EnvironmentProvider {
    let base: any EnvironmentProvider
    let spec: EnvironmentSpec

    var tasks: TaskSet { base.tasks }
    var source: String { base.source }
    var expert: (any ExpertPolicy)? { base.expert }
    func makeEnvironment() -> any Environment { base.makeEnvironment() }
    func shutdown() async { await base.shutdown() }
}

/// A Swift-native environment assembled in code (register it with
/// `EnvironmentRegistry.register(name:make:)`).
public struct NativeEnvironment: EnvironmentProvider {
    public let spec: EnvironmentSpec
    public let tasks: TaskSet
    public let tools: [any Tool]
    public let verifier: any Verifier
    public let reward: RewardSettings
    public let expert: (any ExpertPolicy)?
    public let observationCapChars: Int
    public var source: String { "swift:\(spec.name)" }

    public init(
        spec: EnvironmentSpec, tasks: TaskSet, tools: [any Tool], verifier: any Verifier,
        reward: RewardSettings = RewardSettings(), expert: (any ExpertPolicy)? = nil, observationCapChars: Int = 2000
    ) {
        var spec = spec
        spec.tools = tools.map(\.descriptor)
        self.spec = spec
        self.tasks = tasks
        self.tools = tools
        self.verifier = verifier
        self.reward = reward
        self.expert = expert
        self.observationCapChars = observationCapChars
    }

    public func makeEnvironment() -> any Environment {
        let base = ToolEnvironment(spec: spec, tools: tools, verifier: verifier, tasks: tasks, reward: reward, observationCapChars: observationCapChars)
        guard let limit = spec.maxTurns else { return base }
        return TimeLimit(base, maxTurns: limit)
    }

    public func shutdown() async {}
}
