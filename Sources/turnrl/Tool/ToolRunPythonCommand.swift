import ArgumentParser
import Foundation
import ToolSandbox

/// `turnrl tool run python`: run a Python snippet in the sandbox and print what it did.
struct ToolRunPythonCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "python",
        abstract: "Run Python code in the sandbox (seccomp, namespaces, Landlock, rlimits).",
        discussion: """
            Give the code with --code, --code-file PATH, or `-` to read it from stdin. With --json \
            prints exactly one object: {"ok","stdout","stderr","exitCode","signal","timedOut",\
            "outputTruncated","durationMs","error"}; ok is true only when the code ran to completion \
            with exit code 0. Without --json, the code's stdout and stderr are passed through and \
            the exit code is the code's (1 if it was stopped).
            """)

    @Option(help: "The code to run.")
    var code: String?

    @Option(help: "A file holding the code to run.")
    var codeFile: String?

    @Argument(help: "`-` to read the code from stdin.")
    var stdinMarker: String?

    @Option(help: "Wall-clock limit in seconds.")
    var timeout: Double = SandboxLimits().timeoutSeconds

    @Option(help: "Memory the code may allocate, in MB (on top of the warm interpreter).")
    var memoryMb: Int = SandboxLimits().memoryMB

    @Flag(help: "Print one JSON object instead of passing the output through.")
    var json = false

    @OptionGroup var sandbox: SandboxOptions
    @OptionGroup var global: GlobalOptions

    func validate() throws {
        let sources = [code != nil, codeFile != nil, stdinMarker != nil].filter { $0 }.count
        guard sources == 1 else {
            throw ValidationError("give exactly one of --code CODE, --code-file PATH, or - (stdin)")
        }
        if let stdinMarker, stdinMarker != "-" {
            throw ValidationError("unexpected argument '\(stdinMarker)'; use - to read the code from stdin")
        }
        guard timeout > 0, memoryMb > 0 else { throw ValidationError("--timeout and --memory-mb must be positive") }
    }

    func run() async throws {
        let logger = global.logger("turnrl.tool")
        let source = try readSource()
        var configuration = try sandbox.configuration(workers: 1)
        configuration.defaultLimits.timeoutSeconds = timeout
        configuration.defaultLimits.memoryMB = memoryMb
        logger.debug("starting a sandbox worker", metadata: ["python": "\(configuration.python)"])
        let pool = try await SandboxPool(configuration: configuration)
        let result = try await pool.run(codeBytes: source)
        let layers = await pool.layers
        await pool.shutdown()
        logger.debug("sandbox layers", metadata: ["active": "\(layers.joined(separator: ","))"])
        if json {
            try JSONOutput.print(result)
            return
        }
        FileHandle.standardOutput.write(Data(result.stdout.utf8))
        FileHandle.standardError.write(Data(result.stderr.utf8))
        if !result.ok {
            if let error = result.error, !result.stderr.hasSuffix(error + "\n") {
                FileHandle.standardError.write(Data("turnrl: \(error)\n".utf8))
            }
            throw ExitCode(Int32(result.exitCode.map { $0 == 0 ? 1 : $0 } ?? 1))
        }
    }

    private func readSource() throws -> [UInt8] {
        if let code { return Array(code.utf8) }
        if let codeFile {
            guard let data = FileManager.default.contents(atPath: codeFile) else {
                throw ValidationError("cannot read --code-file \(codeFile): no such file or not readable")
            }
            return Array(data)
        }
        return Array(FileHandle.standardInput.readDataToEndOfFile())
    }
}
