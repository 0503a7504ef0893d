import Foundation
import ToolSandbox

/// An environment loaded from a folder: the manifest, its tasks, its tools (built-ins and the
/// functions of tools.py), its verifier and expert, and the sandbox pool its Python runs in.
/// Load once, then make one `Environment` per concurrent rollout.
public final class EnvironmentPackage: EnvironmentProvider {
    public let manifest: EnvironmentManifest
    public let spec: EnvironmentSpec
    public let tasks: TaskSet
    public let tools: [any Tool]
    public let verifier: any Verifier
    public let expert: (any ExpertPolicy)?
    /// The environment's sandbox (nil when it needs no Python at all).
    public let bridge: PythonBridge?
    public var source: String { manifest.folder.path }

    init(manifest: EnvironmentManifest, spec: EnvironmentSpec, tasks: TaskSet, tools: [any Tool], verifier: any Verifier, expert: (any ExpertPolicy)?, bridge: PythonBridge?) {
        self.manifest = manifest
        self.spec = spec
        self.tasks = tasks
        self.tools = tools
        self.verifier = verifier
        self.expert = expert
        self.bridge = bridge
    }

    /// Reads the manifest, tasks and Python files of `folder` and starts its sandbox. Every
    /// problem is an `EnvironmentError` naming file, line and field.
    public static func load(folder: URL, runtime: EnvironmentRuntime) async throws -> EnvironmentPackage {
        let manifest = try ManifestLoader.load(folder: folder)
        let folder = manifest.folder
        let fm = FileManager.default
        let pythonFiles = ["tools.py", "verify.py", "expert.py", "generate.py"].filter { fm.fileExists(atPath: folder.appendingPathComponent($0).path) }
        var generatorFile: String?
        if case .generator(let file, _, _, _) = manifest.tasks { generatorFile = file }
        let needsPython = !pythonFiles.isEmpty || manifest.tools.contains("python") || generatorFile != nil
        // The bridge loads files by their contract names; a manifest naming others must match.
        for (field, name, expected) in [("verifier", verifierFile(manifest), "verify.py"), ("expert", manifest.expert, "expert.py"), ("tasks.generator", generatorFile, "generate.py")] {
            if let name, name != expected {
                throw EnvironmentError.manifest(manifest.location(of: field.components(separatedBy: ".")[0]), field: field, problem: "'\(name)' must be named \(expected)", fix: "Rename the file to \(expected) (the contract's name).")
            }
        }
        let bridge = needsPython ? try await PythonBridge(folder: folder, sandbox: runtime.sandbox) : nil
        do {
            return try await assemble(manifest: manifest, bridge: bridge, runtime: runtime)
        } catch {
            await bridge?.shutdown()
            throw error
        }
    }

    static func verifierFile(_ manifest: EnvironmentManifest) -> String? {
        if case .python(let file) = manifest.verifier { return file }
        return nil
    }

    private static func assemble(manifest: EnvironmentManifest, bridge: PythonBridge?, runtime: EnvironmentRuntime) async throws -> EnvironmentPackage {
        let folder = manifest.folder
        var tools: [any Tool] = []
        for name in manifest.tools where EnvironmentManifest.builtinTools.contains(name) {
            switch name {
            case "python": tools.append(PythonTool(pool: bridge!.pool))
            default: tools.append(try runtime.searchTool())
            }
        }
        let toolsPath = folder.appendingPathComponent("tools.py").path
        for descriptor in bridge?.tools ?? [] {
            if tools.contains(where: { $0.name == descriptor.name }) {
                throw EnvironmentError.duplicate(what: "tool", name: descriptor.name, first: "\(manifest.manifestPath) (tools, built-in)", second: toolsPath)
            }
            tools.append(PythonFunctionTool(bridge: bridge!, descriptor: descriptor))
        }
        for name in manifest.tools where !tools.contains(where: { $0.name == name }) {
            throw EnvironmentError.manifest(manifest.location(of: "tools"), field: "tools", problem: "unknown tool '\(name)': not a built-in and not a public function of tools.py", fix: "Built-ins: \(EnvironmentManifest.builtinTools.joined(separator: ", ")); define \(name)(...) with type hints in tools.py, or remove it.")
        }
        let verifier: any Verifier
        switch manifest.verifier {
        case .builtin(let builtin): verifier = builtin.verifier
        case .python(let file):
            guard let bridge, bridge.hasVerifier else {
                throw EnvironmentError.python(SourceLocation(file: folder.appendingPathComponent(file).path), problem: "defines no function verify(task, answer, trajectory)")
            }
            verifier = PythonVerifier(bridge: bridge, file: folder.appendingPathComponent(file).path)
        }
        var expert: (any ExpertPolicy)?
        if let file = manifest.expert {
            guard let bridge, bridge.hasExpert else {
                throw EnvironmentError.python(SourceLocation(file: folder.appendingPathComponent(file).path), problem: "defines no function act(task, messages, seed)")
            }
            expert = PythonExpert(bridge: bridge)
        }
        let tasks: TaskSet
        switch manifest.tasks {
        case .files(let train, let test):
            tasks = TaskSet(train: try TaskFile.load(folder.appendingPathComponent(train)), test: try TaskFile.load(folder.appendingPathComponent(test)))
        case .inline(let inline):
            tasks = inline
        case .generator(let file, let trainCount, let testCount, let seed):
            let path = folder.appendingPathComponent(file).path
            guard let bridge, bridge.hasGenerator else {
                throw EnvironmentError.python(SourceLocation(file: path), problem: "defines no function generate(split, seed, count)")
            }
            var lists: [[TaskRecord]] = []
            for (split, count) in [("train", trainCount), ("test", testCount)] {
                var limits = runtime.sandbox.defaultLimits
                limits.timeoutSeconds = max(limits.timeoutSeconds, 60)
                limits.cpuSeconds = max(limits.cpuSeconds, 60)
                limits.maxOutputBytes = max(limits.maxOutputBytes, 64 << 20)
                do {
                    let value = try await bridge.call("turnrl_generate", ["split": .string(split), "seed": .int(seed), "count": .int(count)], limits: limits)
                    lists.append(try TaskFile.records(from: value, source: path))
                } catch let error as BridgeCallError {
                    throw EnvironmentError.python(SourceLocation(file: path), problem: "generate(\"\(split)\", \(seed), \(count)) failed: \(error.detail)")
                }
            }
            tasks = TaskSet(train: lists[0], test: lists[1])
        }
        let spec = EnvironmentSpec(
            name: manifest.name, version: manifest.version, description: manifest.description, systemPrompt: manifest.systemPrompt,
            tools: tools.map(\.descriptor), actionFormat: manifest.actionFormat, maxTurns: manifest.maxTurns, context: manifest.context,
            wrongAnswer: manifest.wrongAnswer)
        return EnvironmentPackage(manifest: manifest, spec: spec, tasks: tasks, tools: tools, verifier: verifier, expert: expert, bridge: bridge)
    }

    public func makeEnvironment() -> any Environment {
        let base = ToolEnvironment(spec: spec, tools: tools, verifier: verifier, tasks: tasks, reward: manifest.reward, observationCapChars: manifest.observationCapChars)
        return TimeLimit(base, maxTurns: manifest.maxTurns)
    }

    public func shutdown() async {
        await bridge?.shutdown()
    }
}

/// verify.py's `verify(task, answer, trajectory)`, run in a fresh sandbox child per answer.
public struct PythonVerifier: Verifier {
    let bridge: PythonBridge
    let file: String
    public var name: String { "verify.py" }

    public func verify(task: TaskRecord, answer: String, trajectory: [ChatMessage]) async throws -> [RewardComponent] {
        let value: JSONValue
        do {
            value = try await bridge.call("turnrl_verify", ["task": task.json, "answer": .string(answer), "trajectory": .array(trajectory.map(\.json))])
        } catch let error as BridgeCallError {
            throw VerifierError(verifier: file, detail: error.detail)
        }
        return try rewardComponents(from: value, source: file)
    }
}

/// expert.py's `act(task, messages, seed)`, run in a fresh sandbox child per turn.
public struct PythonExpert: ExpertPolicy {
    let bridge: PythonBridge

    public func act(task: TaskRecord, messages: [ChatMessage], seed: UInt64) async throws -> String {
        do {
            let value = try await bridge.call("turnrl_expert_act", ["task": task.json, "messages": .array(messages.map(\.json)), "seed": .int(Int(truncatingIfNeeded: seed))])
            guard case .string(let text) = value else { throw EnvironmentError.python(SourceLocation(file: "expert.py"), problem: "act() returned \(value), not a string") }
            return text
        } catch let error as BridgeCallError {
            throw EnvironmentError.python(SourceLocation(file: bridge.folderPath + "/expert.py"), problem: error.detail)
        }
    }
}
