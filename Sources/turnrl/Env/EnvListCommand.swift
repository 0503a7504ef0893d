import ArgumentParser
import EnvironmentKit
import Foundation

/// `turnrl env list`: every environment with version, tools, task counts and source folder.
struct EnvListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List environments: name, version, tools, task counts, source.",
        discussion: """
            Reads manifests, task files and tools.py as text only (no sandbox is started); `env show` \
            imports tools.py and shows each tool's schema. --json prints {"environments": [{"name","version","source","path",\
            "tools","train","test","problem"}]}.
            """)

    @Flag(help: "Print one JSON object.")
    var json = false

    struct Row: Encodable {
        var name: String
        var version: String?
        var source: String
        var path: String?
        var tools: [String]
        var train: Int?
        var test: Int?
        var problem: String?
    }

    /// Names of the top-level public functions of a tools.py, read as text (no sandbox is
    /// started for a listing; `env show` imports the file and shows the real schemas).
    func publicFunctions(in file: URL) -> [String] {
        guard let text = try? String(contentsOf: file, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { line -> String? in
            guard line.hasPrefix("def "), let paren = line.firstIndex(of: "(") else { return nil }
            let name = line[line.index(line.startIndex, offsetBy: 4)..<paren].trimmingCharacters(in: .whitespaces)
            return name.hasPrefix("_") || name.isEmpty ? nil : name
        }
    }

    func run() async throws {
        let registry = EnvironmentRegistry.standard()
        var rows: [Row] = []
        for entry in try registry.entries() {
            var row = Row(name: entry.name, version: entry.manifest?.version, source: entry.source.rawValue, path: entry.folder?.path, tools: entry.manifest?.tools ?? [], problem: entry.problem)
            if let manifest = entry.manifest {
                row.tools += publicFunctions(in: manifest.folder.appendingPathComponent("tools.py")).filter { !row.tools.contains($0) }
                switch manifest.tasks {
                case .files(let train, let test):
                    do {
                        row.train = try TaskFile.load(manifest.folder.appendingPathComponent(train)).count
                        row.test = try TaskFile.load(manifest.folder.appendingPathComponent(test)).count
                    } catch {
                        row.problem = "\(error)"
                    }
                case .generator(_, let train, let test, _):
                    row.train = train
                    row.test = test
                case .inline(let tasks):
                    row.train = tasks.train.count
                    row.test = tasks.test.count
                }
            }
            rows.append(row)
        }
        if json {
            struct Output: Encodable { var environments: [Row] }
            try JSONOutput.print(Output(environments: rows))
            return
        }
        if rows.isEmpty {
            print("No environments. Built-ins are looked for in $TURNRL_ENVIRONMENTS or the checkout's Environments/; register a folder with `turnrl env register DIR`.")
            return
        }
        printTable(
            ["NAME", "VERSION", "TOOLS", "TRAIN", "TEST", "SOURCE", "PATH"],
            rows.map { [$0.name, $0.version ?? "?", $0.tools.joined(separator: ","), $0.train.map(String.init) ?? "?", $0.test.map(String.init) ?? "?", $0.source, $0.path ?? "-"] })
        for row in rows where row.problem != nil { print("\n\(row.name): \(row.problem!)") }
    }
}
