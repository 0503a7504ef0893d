import Foundation
import ToolSandbox

/// The environment's Python side in the sandbox: one `SandboxPool` whose tools file is a small
/// generated module that imports the folder's `tools.py`, `verify.py`, `expert.py` and
/// `generate.py` and exposes them as sandbox tools. Reserved entry points are prefixed
/// `turnrl_` and never shown to the model.
///
/// The module also puts the environment folder on `sys.path` (so `import helper` finds a
/// sibling file) and sets `TURNRL_ENV_DIR`: the zygote grants its confined children read access
/// to every `sys.path` entry, so tools may read data files of their folder at call time.
public final class PythonBridge: Sendable {
    /// The pool running the environment's Python (also used by the `python` tool).
    public let pool: SandboxPool
    /// The user tools of tools.py as the model sees them (no `task` parameter).
    public let tools: [ToolDescriptor]
    /// Which optional files were loaded.
    public let hasVerifier: Bool
    public let hasExpert: Bool
    public let hasGenerator: Bool
    /// Tools whose function takes the `task` record.
    let takesTask: Set<String>
    private let bridgeDirectory: URL
    /// The environment folder.
    public let folderPath: String

    static let reservedPrefix = "turnrl_"

    /// Writes the bridge module, starts the pool, and checks every Python file imported.
    /// Throws `EnvironmentError.python` naming file and line when one fails to import.
    public init(folder: URL, sandbox: SandboxConfiguration) async throws {
        let fm = FileManager.default
        let directory = sandbox.workDirectory.appendingPathComponent("turnrl-env-\(UUID().uuidString)")
        try fm.createDirectory(at: directory, withIntermediateDirectories: true)
        let module = directory.appendingPathComponent("turnrl_env_bridge.py")
        try Self.source(folder: folder).write(to: module, atomically: true, encoding: .utf8)
        var configuration = sandbox
        configuration.toolsFile = module.path
        let pool: SandboxPool
        do {
            pool = try await SandboxPool(configuration: configuration)
        } catch {
            try? fm.removeItem(at: directory)
            throw EnvironmentError.infrastructure("the sandbox for \(folder.path) did not start: \(error)")
        }
        let report = try? await pool.callTool(name: "turnrl_bridge_report", arguments: [:])
        guard let report, report.ok, case .object(let fields)? = report.value else {
            await pool.shutdown()
            try? fm.removeItem(at: directory)
            throw EnvironmentError.infrastructure("the environment bridge did not answer: \(report?.error ?? "no result")")
        }
        if case .array(let errors)? = fields["errors"], case .object(let first)? = errors.first {
            await pool.shutdown()
            try? fm.removeItem(at: directory)
            let file = first["file"].flatMap { if case .string(let s) = $0 { return s } else { return nil } } ?? "?"
            let line = first["line"].flatMap { if case .int(let n) = $0 { return n } else { return nil } } ?? 0
            let message = first["error"].flatMap { if case .string(let s) = $0 { return s } else { return nil } } ?? "failed"
            throw EnvironmentError.python(
                SourceLocation(file: folder.appendingPathComponent(file).path, line: line),
                problem: "failed to import: \(message). Python files may import only the standard library, numpy, sympy and files of their own folder")
        }
        func flag(_ key: String) -> Bool { if case .bool(true)? = fields[key] { return true } else { return false } }
        var descriptors: [ToolDescriptor] = []
        var takesTask: Set<String> = []
        let toolsPath = folder.appendingPathComponent("tools.py").path
        for schema in await pool.toolSchemas {
            guard case .object(let object) = schema, case .string(let name)? = object["name"] else { continue }
            if name.hasPrefix(Self.reservedPrefix) { continue }
            let description = object["description"].flatMap { if case .string(let s) = $0 { return s } else { return nil } } ?? ""
            guard case .object(var parameters)? = object["parameters"], case .object(var properties)? = parameters["properties"] else { continue }
            if properties.removeValue(forKey: "task") != nil {
                takesTask.insert(name)
                if case .array(let required)? = parameters["required"] {
                    parameters["required"] = .array(required.filter { $0 != .string("task") })
                }
            }
            for (parameter, property) in properties {
                guard case .object(let fields) = property, fields["type"] != nil else {
                    await pool.shutdown()
                    try? fm.removeItem(at: directory)
                    throw EnvironmentError.python(
                        SourceLocation(file: toolsPath),
                        problem: "tool \(name): parameter '\(parameter)' has no supported type hint (use str, int, float, bool, list[str] or dict)")
                }
            }
            parameters["properties"] = .object(properties)
            let firstLine = description.split(separator: "\n").first.map(String.init) ?? ""
            descriptors.append(ToolDescriptor(name: name, description: firstLine, argumentsSchema: .object(parameters)))
        }
        self.pool = pool
        self.tools = descriptors
        self.takesTask = takesTask
        self.hasVerifier = flag("verify")
        self.hasExpert = flag("expert")
        self.hasGenerator = flag("generate")
        self.bridgeDirectory = directory
        self.folderPath = folder.standardizedFileURL.path
    }

    /// Stops the pool and removes the generated module.
    public func shutdown() async {
        await pool.shutdown()
        try? FileManager.default.removeItem(at: bridgeDirectory)
    }

    /// Calls a reserved entry point; a failed call becomes `failure(detail)`.
    func call(_ name: String, _ arguments: [String: JSONValue], limits: SandboxLimits? = nil) async throws -> JSONValue {
        let result = try await pool.callTool(name: name, arguments: arguments, limits: limits)
        guard result.ok, let value = result.value else {
            throw BridgeCallError(detail: result.error ?? (result.timedOut ? "timed out" : "failed: \(result.stderr.suffix(400))"))
        }
        return value
    }

    /// The generated module's source.
    static func source(folder: URL) -> String {
        let quoted = encodeJSON(.string(folder.standardizedFileURL.path))
        return """
        # Generated by TurnRL EnvironmentKit: loads one environment folder's Python files.
        import importlib.util, inspect, math, numbers, os, sys, traceback

        _ENV_DIR = \(quoted)
        os.environ["TURNRL_ENV_DIR"] = _ENV_DIR
        if _ENV_DIR not in sys.path:
            sys.path.insert(0, _ENV_DIR)  # sibling imports; the zygote lets children read sys.path
        _ERRORS = []


        def _where(error, filename):
            if isinstance(error, SyntaxError) and error.filename and error.filename.endswith(filename):
                return error.lineno or 0
            line = 0
            for frame in traceback.extract_tb(error.__traceback__):
                if frame.filename.endswith(os.sep + filename):
                    line = frame.lineno
            return line


        def _load(filename):
            path = os.path.join(_ENV_DIR, filename)
            if not os.path.exists(path):
                return None
            name = "turnrl_env_" + filename[:-3]
            try:
                spec = importlib.util.spec_from_file_location(name, path)
                module = importlib.util.module_from_spec(spec)
                sys.modules[name] = module
                spec.loader.exec_module(module)
                return module
            except BaseException as error:
                _ERRORS.append({"file": filename, "line": _where(error, filename),
                                "error": f"{type(error).__name__}: {error}"})
                return None


        _tools = _load("tools.py")
        _verify = _load("verify.py")
        _expert = _load("expert.py")
        _generate = _load("generate.py")

        if _tools is not None:
            for _name, _fn in list(vars(_tools).items()):
                if inspect.isfunction(_fn) and _fn.__module__ == _tools.__name__ and not _name.startswith("_"):
                    if _name.startswith("turnrl_"):
                        _ERRORS.append({"file": "tools.py", "line": _fn.__code__.co_firstlineno,
                                        "error": f"tool name {_name} is reserved (prefix turnrl_)"})
                        continue
                    _fn.__module__ = __name__  # the zygote exports functions defined in this module
                    globals()[_name] = _fn


        def _call(filename, function, *args, expected=None):
            # Runs an environment function; its exception is re-raised naming file and line.
            try:
                value = function(*args)
            except BaseException as error:
                line = _where(error, filename)
                raise RuntimeError(f"{filename} line {line}: {type(error).__name__}: {error}") from None
            if expected is not None and not isinstance(value, expected):
                raise TypeError(f"{filename}: {function.__name__}() returned {type(value).__name__}, not {expected.__name__}")
            return value


        def _plain(value):
            if isinstance(value, bool):
                return value
            if isinstance(value, numbers.Integral):
                return int(value)
            if isinstance(value, numbers.Real):
                return float(value)
            return value


        def turnrl_bridge_report() -> dict:
            return {"errors": _ERRORS, "verify": _verify is not None and hasattr(_verify, "verify"),
                    "expert": _expert is not None and hasattr(_expert, "act"),
                    "generate": _generate is not None and hasattr(_generate, "generate")}


        def turnrl_verify(task: dict, answer: str, trajectory: list):
            value = _call("verify.py", _verify.verify, task, answer, trajectory)
            if isinstance(value, dict):
                out = {}
                for key, part in value.items():
                    part = _plain(part)
                    if isinstance(part, bool) or not isinstance(part, (int, float)) or not math.isfinite(part):
                        raise TypeError(f"verify.py: component {key!r} is {part!r}, not a finite number")
                    out[str(key)] = part
                return out
            value = _plain(value)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
                raise TypeError(f"verify.py returned {value!r} ({type(value).__name__}), not a number; return a float in [-1, 1] or a dict of named floats")
            return value


        def turnrl_expert_act(task: dict, messages: list, seed: int) -> str:
            return _call("expert.py", _expert.act, task, messages, seed, expected=str)


        def turnrl_generate(split: str, seed: int, count: int) -> list:
            return _call("generate.py", _generate.generate, split, seed, count, expected=list)

        """
    }
}

/// A reserved bridge call failed; `detail` is the Python error (with file and line).
struct BridgeCallError: Error, CustomStringConvertible {
    var detail: String
    var description: String { detail }
}
