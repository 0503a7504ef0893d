import Foundation
import Testing
@testable import ToolSandbox

/// `turnrl tool run python` and `turnrl tool doctor`, run as a user would run them (benign code).
@Suite("turnrl tool CLI")
struct CLITests {
    static func turnrl(_ arguments: [String], stdin: Data? = nil) throws -> (Int32, String, String) {
        var environment = ProcessInfo.processInfo.environment
        environment["TURNRL_PYTHON"] = TestSandbox.python
        let (status, out, err) = try TestSandbox.runProgram(TestSandbox.turnrl, arguments, stdin: stdin, environment: environment)
        return (status, String(decoding: out, as: UTF8.self), err)
    }

    @Test("--json prints exactly the contract's object")
    func jsonContract() throws {
        let (status, out, _) = try Self.turnrl(["tool", "run", "python", "--code", "print(1+1)", "--json"])
        #expect(status == 0)
        let object = try JSONSerialization.jsonObject(with: Data(out.utf8)) as! [String: Any]
        #expect(Set(object.keys) == ["ok", "stdout", "stderr", "exitCode", "signal", "timedOut", "outputTruncated", "durationMs", "error"])
        #expect(object["ok"] as? Bool == true && object["stdout"] as? String == "2\n" && object["exitCode"] as? Int == 0)
        #expect(out.split(separator: "\n").count == 1, "one line, one object")
    }

    @Test("code from a file and from stdin; limits from flags")
    func sources() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("turnrl-cli-\(getpid()).py")
        try "import sys\nprint('from file'); sys.exit(4)".write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let (fileStatus, fileOut, _) = try Self.turnrl(["tool", "run", "python", "--code-file", file.path])
        #expect(fileStatus == 4 && fileOut == "from file\n", "without --json the code's output and exit code pass through")
        let (_, stdinOut, _) = try Self.turnrl(["tool", "run", "python", "-", "--json"], stdin: Data("print(6*7)".utf8))
        #expect(stdinOut.contains("\"stdout\":\"42\\n\""))
        let (_, slowOut, _) = try Self.turnrl(["tool", "run", "python", "--code", "import time; time.sleep(5)", "--timeout", "0.3", "--json"])
        #expect(slowOut.contains("\"timedOut\":true") && slowOut.contains("\"ok\":false"))
        let (memStatus, _, memErr) = try Self.turnrl(["tool", "run", "python", "--code", "x = bytearray(200 << 20)", "--memory-mb", "64"])
        #expect(memStatus == 1 && memErr.contains("MemoryError"))
    }

    @Test("two code sources at once is a usage error")
    func usage() throws {
        let (status, _, err) = try Self.turnrl(["tool", "run", "python", "--code", "1", "-"])
        #expect(status != 0 && err.contains("exactly one of"))
    }

    @Test("tool doctor lists every isolation layer and whether it is active")
    func doctor() throws {
        let (status, out, _) = try Self.turnrl(["tool", "doctor", "--json"])
        #expect(status == 0)
        let object = try JSONSerialization.jsonObject(with: Data(out.utf8)) as! [String: Any]
        let layers = object["layers"] as! [String: [String: Any]]
        #expect(Set(layers.keys) == Set(IsolationLayer.allCases.map(\.rawValue)))
        #expect(layers["seccomp"]?["active"] as? Bool == true)
        #expect(layers["seccomp"]?["required"] as? Bool == true)
    }
}
