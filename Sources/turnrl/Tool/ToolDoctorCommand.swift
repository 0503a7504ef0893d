import ArgumentParser
import Foundation
import ToolSandbox

/// `turnrl tool doctor`: start one real worker and list which isolation layers it got.
struct ToolDoctorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "List which sandbox isolation layers are active on this machine.",
        discussion: """
            Starts one real sandbox worker, runs a probe call in it, and reports each layer as \
            active or missing. Exits 1 when a required layer (seccomp, no_new_privs) is missing. \
            --json prints {"ok", "python", "layers": {name: {"active", "required", "what"}}, "preloaded", "probe"}.
            """)

    @Flag(help: "Print one JSON object instead of the table.")
    var json = false

    @OptionGroup var sandbox: SandboxOptions
    @OptionGroup var global: GlobalOptions

    struct Layer: Encodable {
        let active: Bool
        let required: Bool
        let what: String
    }

    struct Report: Encodable {
        let ok: Bool
        let python: String
        let executable: String
        let layers: [String: Layer]
        let order: [String]
        let preloaded: [String]
        let probe: String?
    }

    func run() async throws {
        var configuration = try sandbox.configuration(workers: 1)
        configuration.allowUnsandboxed = true  // report what is missing instead of refusing
        let pool = try await SandboxPool(configuration: configuration)
        let hello = await pool.hello
        await pool.shutdown()
        let layers = Dictionary(uniqueKeysWithValues: IsolationLayer.allCases.map { layer in
            (layer.rawValue, Layer(active: hello.layers.contains(layer.rawValue),
                                   required: IsolationLayer.required.contains(layer), what: layer.explanation))
        })
        let ok = IsolationLayer.required.allSatisfy { hello.layers.contains($0.rawValue) } && hello.probe == nil
        let report = Report(ok: ok, python: hello.python, executable: hello.executable, layers: layers,
                            order: IsolationLayer.allCases.map(\.rawValue), preloaded: hello.preloaded, probe: hello.probe)
        if json {
            try JSONOutput.print(report)
        } else {
            print("Sandbox: Python \(hello.python) at \(hello.executable)")
            print("Preloaded: \(hello.preloaded.joined(separator: ", "))")
            for layer in IsolationLayer.allCases {
                let active = hello.layers.contains(layer.rawValue)
                let mark = active ? "active " : (IsolationLayer.required.contains(layer) ? "MISSING" : "missing")
                print("  \(mark)  \(layer.rawValue.padding(toLength: 13, withPad: " ", startingAt: 0))  \(layer.explanation)")
            }
            if let probe = hello.probe { print("Probe call failed: \(probe)") }
            print(ok ? "All required layers are active." : "A required layer is missing: untrusted code will not run without --allow-unsandboxed.")
        }
        if !ok { throw ExitCode(1) }
    }
}
