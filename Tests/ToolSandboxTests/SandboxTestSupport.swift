import Foundation
import Testing
@testable import ToolSandbox

/// Where the tests find the sandbox's parts: the interpreter setup creates, the launcher and
/// `turnrl` built next to this test binary, the runner in the source tree.
enum TestSandbox {
    /// `$TURNRL_PYTHON`, else `<data folder>/sandbox-venv/bin/python3` (what `.ci/setup` creates).
    static var python: String {
        let env = ProcessInfo.processInfo.environment
        if let explicit = env["TURNRL_PYTHON"], !explicit.isEmpty { return explicit }
        let data: String
        if let home = env["TURNRL_HOME"], !home.isEmpty {
            data = home
        } else if let xdg = env["XDG_DATA_HOME"], !xdg.isEmpty {
            data = xdg + "/turnrl"
        } else {
            data = (env["HOME"] ?? NSHomeDirectory()) + "/.local/share/turnrl"
        }
        return data + "/sandbox-venv/bin/python3"
    }

    static var binDirectory: URL { SandboxLocator.executableDirectory() }

    static var turnrl: String { binDirectory.appendingPathComponent("turnrl").path }

    static var fixtures: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/ToolSandbox")
    }

    static func configuration(workers: Int = 2, toolsFile: String? = nil) throws -> SandboxConfiguration {
        var configuration = try SandboxConfiguration.located(python: python)
        configuration.workers = workers
        configuration.toolsFile = toolsFile
        return configuration
    }

    /// One pool shared by the tests that only run benign code (starting a pool imports numpy
    /// and sympy, which takes seconds on a loaded machine).
    static let shared = Task { try await SandboxPool(configuration: configuration()) }

    static func sharedPool() async throws -> SandboxPool { try await shared.value }

    /// Runs a program to completion; returns status, stdout, stderr.
    static func runProgram(_ path: String, _ arguments: [String], stdin: Data? = nil,
                           environment: [String: String]? = nil) throws -> (Int32, Data, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        if let environment { process.environment = environment }
        let out = Pipe(), err = Pipe(), input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(stdin) }
        try input.fileHandleForWriting.close()
        // Read both pipes concurrently with the process so neither can fill up and block it.
        let errData = LockedData()
        let errThread = Thread { errData.set(err.fileHandleForReading.readDataToEndOfFile()) }
        errThread.start()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        while !errData.isSet { usleep(1000) }
        return (process.terminationStatus, outData, String(decoding: errData.value, as: UTF8.self))
    }
}

/// A Data box written by one thread and read by another after it is set.
final class LockedData: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()
    private var done = false

    func set(_ value: Data) { lock.withLock { data = value; done = true } }
    var isSet: Bool { lock.withLock { done } }
    var value: Data { lock.withLock { data } }
}
