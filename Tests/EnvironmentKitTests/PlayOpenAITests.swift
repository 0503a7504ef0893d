import Foundation
import Testing
@testable import EnvironmentKit

/// `turnrl play --policy openai:URL#MODEL` against the stub chat server of the OpenAI client
/// tests (Tests/Fixtures/OpenAIStub/server.py, recorded responses, 127.0.0.1, a free port).
@Suite struct PlayOpenAITests {
    /// Starts the stub server; returns it with its port. Closing its stdin stops it.
    static func startStub() throws -> (Process, Pipe, Int) {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/OpenAIStub/server.py")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        var line = Data()
        while let byte = try output.fileHandleForReading.read(upToCount: 1), !byte.isEmpty, byte != Data("\n".utf8) { line.append(byte) }
        return (process, input, Int(String(decoding: line, as: UTF8.self)) ?? 0)
    }

    static var cornerShop: String {
        BuiltinEnvironmentsTests.repositoryEnvironments.appendingPathComponent("examples/corner-shop").path
    }

    @Test func nativeCallsBecomeTheEnvironmentsFormatAndFailuresAreInfrastructure() throws {
        let (server, input, port) = try Self.startStub()
        defer {
            try? input.fileHandleForWriting.close()
            server.waitUntilExit()
        }
        #expect(port > 0)
        let environment = ["TURNRL_PYTHON": Fixtures.python, "TURNRL_HOME": try Fixtures.temporaryFolder("home").path]
        let base = ["play", Self.cornerShop, "--seed", "0", "--split", "test", "--workers", "1", "--policy"]
        // `shop` answers with a native call price({"item": "pear"}): written as <price>pear</price>.
        let (status, out, err) = try Fixtures.run(base + ["openai:http://127.0.0.1:\(port)/v1#shop"], stdin: "\n:quit\n", environment: environment)
        #expect(status == 0, "\(err)")
        #expect(out.contains("policy openai") && out.contains("[assistant, turn 1] <price>pear</price>") && out.contains("pear: 62 cents"), "\(out)")
        // A response that is not a chat completion: reported, the environment is not stepped.
        let (badStatus, badOut, badErr) = try Fixtures.run(base + ["openai:http://127.0.0.1:\(port)/v1#malformed"], stdin: "\n:quit\n", environment: environment)
        #expect(badStatus == 0, "\(badErr)")
        #expect(badOut.contains("INFRASTRUCTURE ERROR (policy endpoint, turn not taken)") && !badOut.contains("[assistant, turn 1]"), "\(badOut)")
        // A spec that is not a URL is refused before anything loads.
        let (specStatus, _, specErr) = try Fixtures.run(base + ["openai:localhost"], environment: environment)
        #expect(specStatus != 0 && specErr.contains("not an http(s) URL"), "\(specErr)")
    }
}
