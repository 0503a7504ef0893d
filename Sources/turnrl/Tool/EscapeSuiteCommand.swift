import ArgumentParser
import Foundation
import ToolSandbox

/// `turnrl tool escape-suite` (hidden): runs abuse cases against ONE long-lived pool and checks
/// after every case that the pool still answers correctly. It only runs the cases and reports;
/// the test that starts it (Tests/ToolSandboxTests/EscapeSuiteTests.swift) holds the
/// expectations, and starts it only inside a throwaway user + PID namespace, never on the host.
struct EscapeSuiteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "escape-suite",
        abstract: "Internal: run sandbox abuse cases from a JSON file (only inside a throwaway namespace).",
        shouldDisplay: false)

    @Option(help: "JSON file: [{\"name\", \"code\", \"limits\"?: SandboxLimits}].")
    var cases: String

    @Option(help: "Workers in the pool.")
    var workers = 1

    @OptionGroup var sandbox: SandboxOptions

    struct Case: Decodable {
        let name: String
        let code: String
        let limits: SandboxLimits?
    }

    struct Outcome: Encodable {
        let name: String
        let result: SandboxResult
        /// `print(sum(range(10)))` right after the case: the pool must still answer "45".
        let healthy: Bool
        let health: SandboxResult
    }

    struct Report: Encodable {
        let layers: [String]
        let outcomes: [Outcome]
        let restarts: Int
    }

    func run() async throws {
        // Refuse on the bare host: the test starts this as PID 1 of a fresh PID namespace inside a
        // fresh user namespace (unshare --user --map-root-user --pid --fork --mount-proc).
        let uidMap = (try? String(contentsOfFile: "/proc/self/uid_map", encoding: .utf8)) ?? ""
        let initialUserNamespace = uidMap.split(whereSeparator: \.isWhitespace) == ["0", "0", "4294967295"]
        guard ProcessInfo.processInfo.environment["TURNRL_ESCAPE_SUITE_NAMESPACE"] == "1", getpid() == 1,
              !initialUserNamespace
        else {
            throw ValidationError("escape-suite only runs as PID 1 of the throwaway user + PID namespace its test creates, never on the host")
        }
        let data = try Data(contentsOf: URL(fileURLWithPath: cases))
        let list = try JSONDecoder().decode([Case].self, from: data)
        let pool = try await SandboxPool(configuration: try sandbox.configuration(workers: workers))
        var outcomes: [Outcome] = []
        for item in list {
            let result = try await pool.run(code: item.code, limits: item.limits)
            let health = try await pool.run(code: "print(sum(range(10)))")
            outcomes.append(Outcome(name: item.name, result: result, healthy: health.ok && health.stdout == "45\n", health: health))
        }
        let report = Report(layers: await pool.layers, outcomes: outcomes, restarts: await pool.restartCount)
        await pool.shutdown()
        try JSONOutput.print(report)
    }
}
