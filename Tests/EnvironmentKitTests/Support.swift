import Foundation
import Testing
import ToolSandbox
@testable import EnvironmentKit

/// Paths and shared, expensive objects for the EnvironmentKit tests.
enum Fixtures {
    static var root: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/EnvironmentKit")
    }

    static var calc: URL { root.appendingPathComponent("calc") }

    /// `$TURNRL_PYTHON`, else the sandbox venv in the data folder (what `.ci/setup` creates).
    static var python: String {
        let env = ProcessInfo.processInfo.environment
        if let explicit = env["TURNRL_PYTHON"], !explicit.isEmpty { return explicit }
        return EnvironmentRuntime.dataDirectory().appendingPathComponent("sandbox-venv/bin/python3").path
    }

    static func runtime(workers: Int = 1) throws -> EnvironmentRuntime {
        var runtime = try EnvironmentRuntime.located(python: python)
        runtime.sandbox.workers = workers
        return runtime
    }

    /// The calc fixture, loaded once for all tests that only read or play it.
    static let calcPackage = Task { try await EnvironmentPackage.load(folder: calc, runtime: runtime(workers: 2)) }

    static var turnrl: String { SandboxLocator.executableDirectoryForTests().appendingPathComponent("turnrl").path }

    /// A fresh temporary folder.
    static func temporaryFolder(_ label: String = "env") throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("turnrl-envkit-test-\(label)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Writes `files` (name → text) into a fresh folder.
    static func folder(_ files: [String: String]) throws -> URL {
        let url = try temporaryFolder()
        for (name, text) in files {
            try text.write(to: url.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        return url
    }

    /// Runs `turnrl` with arguments, optional stdin and extra environment; returns status, stdout, stderr.
    static func run(_ arguments: [String], stdin: String = "", environment extra: [String: String] = [:], cwd: URL? = nil) throws -> (Int32, String, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: turnrl)
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        for (key, value) in extra { environment[key] = value }
        process.environment = environment
        if let cwd { process.currentDirectoryURL = cwd }
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("turnrl-out-\(UUID().uuidString)")
        let err = FileManager.default.temporaryDirectory.appendingPathComponent("turnrl-err-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        defer {
            try? FileManager.default.removeItem(at: out)
            try? FileManager.default.removeItem(at: err)
        }
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        let input = Pipe()
        process.standardInput = input
        try process.run()
        input.fileHandleForWriting.write(Data(stdin.utf8))
        try input.fileHandleForWriting.close()
        process.waitUntilExit()
        return (process.terminationStatus, try String(contentsOf: out, encoding: .utf8), try String(contentsOf: err, encoding: .utf8))
    }
}

extension SandboxLocator {
    /// The directory of the running test binary (SwiftPM builds `turnrl` there too).
    static func executableDirectoryForTests() -> URL {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var url = URL(fileURLWithPath: exe).deletingLastPathComponent()
        // swift test runs the xctest bundle from <bin>/TurnRLPackageTests.xctest (a file on Linux).
        while !FileManager.default.fileExists(atPath: url.appendingPathComponent("turnrl").path), url.path != "/" {
            url = url.deletingLastPathComponent()
        }
        return url
    }
}
