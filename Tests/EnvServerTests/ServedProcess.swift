import Foundation
import Testing

/// A `turnrl serve` child process on 127.0.0.1 and a free port, and the Python scripts under
/// clients/python/tests run against it with the test venv (openenv-core, gymnasium,
/// websockets) that `.ci/lib.sh`'s `install_openenv_test_venv` creates.
struct ServedProcess {
    let process: Process
    let port: Int
    let stdout: URL
    let stderr: URL

    static var repository: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    /// The directory with the built `turnrl` (SwiftPM builds it beside the test bundle).
    static var binDirectory: URL {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var url = URL(fileURLWithPath: exe).deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: url.appendingPathComponent("turnrl").path), url.path != "/" {
            url = url.deletingLastPathComponent()
        }
        return url
    }

    static var dataDirectory: URL {
        let environment = ProcessInfo.processInfo.environment
        if let home = environment["TURNRL_HOME"], !home.isEmpty { return URL(fileURLWithPath: home) }
        if let xdg = environment["XDG_DATA_HOME"], !xdg.isEmpty { return URL(fileURLWithPath: xdg).appendingPathComponent("turnrl") }
        return FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".local/share/turnrl")
    }

    /// The test venv's interpreter; a missing venv is a failure that says how to make it.
    static func python() throws -> String {
        let path = dataDirectory.appendingPathComponent("openenv-venv/bin/python3").path
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw ServeTestError("the OpenEnv test venv is missing at \(path); create it with `bash -c 'source .ci/lib.sh && install_openenv_test_venv'` (.ci/test does this)")
        }
        return path
    }

    /// Starts `turnrl serve --env NAME --port 0 …` and waits (≤ 60 s) for its "serving … on" line.
    static func start(_ environment: String, _ extra: [String] = []) throws -> ServedProcess {
        let process = Process()
        process.executableURL = binDirectory.appendingPathComponent("turnrl")
        process.arguments = ["serve", "--env", environment, "--host", "127.0.0.1", "--port", "0", "--workers", "2"] + extra
        let (stdout, stderr) = try captureOutput(of: process, label: "serve")
        try process.run()
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            let text = (try? String(contentsOf: stdout, encoding: .utf8)) ?? ""
            if let range = text.range(of: #"on http://127\.0\.0\.1:(\d+)"#, options: .regularExpression),
               let port = Int(text[range].split(separator: ":").last ?? "") {
                return ServedProcess(process: process, port: port, stdout: stdout, stderr: stderr)
            }
            if !process.isRunning { break }
            Thread.sleep(forTimeInterval: 0.05)
        }
        process.terminate()
        process.waitUntilExit()
        throw ServeTestError("turnrl serve did not start: \((try? String(contentsOf: stderr, encoding: .utf8)) ?? "")")
    }

    var url: String { "http://127.0.0.1:\(port)" }

    /// Runs a script from clients/python/tests (or a venv command) with a time limit; returns
    /// its exit status and output.
    func run(_ arguments: [String], timeout: TimeInterval = 120) throws -> (status: Int32, stdout: String, stderr: String) {
        try Self.runPython(arguments, timeout: timeout)
    }

    static func runPython(_ arguments: [String], timeout: TimeInterval) throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        let python = try python()
        let clients = repository.appendingPathComponent("clients/python")
        if arguments.first?.hasSuffix(".py") == true {
            process.executableURL = URL(fileURLWithPath: python)
            process.arguments = [clients.appendingPathComponent("tests").appendingPathComponent(arguments[0]).path] + arguments.dropFirst()
        } else {
            process.executableURL = URL(fileURLWithPath: python).deletingLastPathComponent().appendingPathComponent(arguments[0])
            process.arguments = Array(arguments.dropFirst())
        }
        var environment = ProcessInfo.processInfo.environment
        environment["PYTHONPATH"] = clients.path + ":" + clients.appendingPathComponent("tests").path
        process.environment = environment
        let (out, err) = try captureOutput(of: process, label: "python")
        defer {
            try? FileManager.default.removeItem(at: out)
            try? FileManager.default.removeItem(at: err)
        }
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
            throw ServeTestError("\(arguments.joined(separator: " ")) did not finish in \(Int(timeout)) s: \((try? String(contentsOf: err, encoding: .utf8)) ?? "")")
        }
        return (process.terminationStatus, (try? String(contentsOf: out, encoding: .utf8)) ?? "", (try? String(contentsOf: err, encoding: .utf8)) ?? "")
    }

    /// SIGTERM, then waits (≤ 15 s, then SIGKILL); returns the server's log.
    @discardableResult
    func stop() -> String {
        if process.isRunning { process.terminate() }
        let deadline = Date().addingTimeInterval(15)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        let log = (try? String(contentsOf: stderr, encoding: .utf8)) ?? ""
        try? FileManager.default.removeItem(at: stdout)
        try? FileManager.default.removeItem(at: stderr)
        return log
    }
}

/// Sends a child's stdout and stderr to fresh temporary files (read while it runs, without
/// pipes that could fill up) and gives it no stdin (CI has none).
func captureOutput(of process: Process, label: String) throws -> (stdout: URL, stderr: URL) {
    let base = FileManager.default.temporaryDirectory.appendingPathComponent("turnrl-\(label)-\(UUID().uuidString)")
    let stdout = base.appendingPathExtension("out")
    let stderr = base.appendingPathExtension("err")
    _ = FileManager.default.createFile(atPath: stdout.path, contents: nil)
    _ = FileManager.default.createFile(atPath: stderr.path, contents: nil)
    process.standardOutput = try FileHandle(forWritingTo: stdout)
    process.standardError = try FileHandle(forWritingTo: stderr)
    process.standardInput = FileHandle.nullDevice
    return (stdout, stderr)
}

struct ServeTestError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// The last line of a script's stdout as a JSON object.
func lastJSONLine(_ text: String) throws -> [String: Any] {
    guard let line = text.split(separator: "\n").last,
          let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
        throw ServeTestError("no JSON line in: \(text)")
    }
    return object
}
