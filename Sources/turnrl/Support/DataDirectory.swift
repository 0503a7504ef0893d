import EnvironmentKit
import Foundation

/// Where TurnRL keeps what setup installs (the sandbox's Python environment, search indexes,
/// models): `$TURNRL_HOME`, else `$XDG_DATA_HOME/turnrl`, else `~/.local/share/turnrl`.
/// One rule for the whole program: the libraries' own (`EnvironmentRuntime.dataDirectory`,
/// which follows `KnowledgeCorpus.defaultCorporaDirectory`) is the one used here.
enum DataDirectory {
    static func url(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        EnvironmentRuntime.dataDirectory(environment: environment)
    }
}

/// The Python interpreter the sandbox will run: `$TURNRL_PYTHON`, else the sandbox's own
/// environment that setup creates under the data directory, else `python3` on `PATH`.
struct PythonInterpreter: Sendable {
    let path: String
    /// Which rule chose it, so `doctor` can say why.
    let source: String

    static func resolve(environment: [String: String] = ProcessInfo.processInfo.environment) -> PythonInterpreter {
        if let explicit = environment["TURNRL_PYTHON"], !explicit.isEmpty {
            return PythonInterpreter(path: explicit, source: "TURNRL_PYTHON")
        }
        let venv = DataDirectory.url(environment: environment).appendingPathComponent("sandbox-venv/bin/python3").path
        if FileManager.default.isExecutableFile(atPath: venv) {
            return PythonInterpreter(path: venv, source: "sandbox environment")
        }
        return PythonInterpreter(path: Shell.which("python3") ?? "/usr/bin/python3", source: "python3 on PATH")
    }
}
