import ArgumentParser
import Foundation

/// `turnrl doctor`: says whether this machine has what TurnRL needs, and how to fix what is missing.
struct DoctorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check this machine: OpenBLAS, libseccomp, SQLite FTS5, Python, namespaces, Landlock.",
        discussion: """
            Each check prints ok or missing; a missing one says how to fix it. Exits 1 when a \
            required check is missing. Optional checks (user namespaces, Landlock) only weaken \
            the sandbox's isolation when absent.
            """)

    @Flag(help: "Print one JSON object instead of the table.")
    var json = false

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let logger = global.logger("turnrl.doctor")
        let python = PythonInterpreter.resolve()
        logger.debug("sandbox python resolved", metadata: ["path": "\(python.path)", "source": "\(python.source)"])
        let checks = [
            SystemProbes.openBLAS(), SystemProbes.libseccomp(), SystemProbes.sqliteFTS5(),
            SystemProbes.python(python), SystemProbes.seccomp(), SystemProbes.userNamespaces(),
            SystemProbes.landlock(), SystemProbes.hardware(),
        ]
        let report = DoctorReport(
            version: TurnRLVersion.string,
            ok: checks.allSatisfy { $0.ok || !$0.required },
            checks: Dictionary(uniqueKeysWithValues: checks.map { ($0.name, $0) }),
            order: checks.map(\.name))
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            printTable(checks)
        }
        if !report.ok { throw ExitCode(1) }
    }

    private func printTable(_ checks: [DoctorCheck]) {
        print("TurnRL \(TurnRLVersion.string) doctor")
        let width = checks.map(\.title.count).max() ?? 0
        for check in checks {
            let status = check.ok ? "ok     " : (check.required ? "MISSING" : "missing")
            let title = check.title.padding(toLength: width, withPad: " ", startingAt: 0)
            print("  \(status)  \(title)  \(check.detail)")
            if let fix = check.fix { print("           \(String(repeating: " ", count: width))  fix: \(fix)") }
        }
        let missing = checks.filter { !$0.ok && $0.required }
        print(missing.isEmpty ? "All required checks passed." : "\(missing.count) required check(s) missing.")
    }
}
