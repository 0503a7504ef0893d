import ToolSandbox
import ArgumentParser

/// `turnrl tool`: run a tool by hand, and check the sandbox it runs in.
struct ToolCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tool",
        abstract: "Run a tool (the sandboxed Python runner) by hand; check the sandbox.",
        subcommands: [ToolRunCommand.self, ToolDoctorCommand.self, EscapeSuiteCommand.self])
}

/// `turnrl tool run`: one subcommand per tool kind.
struct ToolRunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run one tool call.",
        subcommands: [ToolRunPythonCommand.self])
}

/// Options shared by every command that starts a sandbox pool.
struct SandboxOptions: ParsableArguments {
    @Flag(help: "Run even if seccomp cannot be applied on this machine (the code is then NOT confined).")
    var allowUnsandboxed = false

    @Flag(help: "Do not enter namespaces (for machines where creating them is slow or logged).")
    var noNamespaces = false

    /// A pool configuration: the sandbox's Python (`TURNRL_PYTHON`, else the sandbox venv under
    /// the data folder, else python3), the launcher next to this binary, the runner from the tree.
    func configuration(workers: Int) throws -> SandboxConfiguration {
        var configuration = try SandboxConfiguration.located(python: PythonInterpreter.resolve().path)
        configuration.workers = workers
        configuration.allowUnsandboxed = allowUnsandboxed
        configuration.namespaces = !noNamespaces
        return configuration
    }
}
