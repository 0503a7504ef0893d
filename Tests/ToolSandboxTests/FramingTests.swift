import Foundation
import Testing
@testable import ToolSandbox

@Suite("Wire format")
struct FramingTests {
    @Test("a frame is a 4-byte big-endian length and the body")
    func frameLayout() throws {
        let frame = Framing.encode(Data("{\"a\":1}".utf8))
        #expect(Array(frame.prefix(4)) == [0, 0, 0, 7])
        #expect(try Framing.length(ofHeader: frame.prefix(4)) == 7)
        #expect(String(decoding: frame.dropFirst(4), as: UTF8.self) == "{\"a\":1}")
    }

    @Test("oversized and short headers are protocol violations")
    func badHeaders() {
        #expect(throws: SandboxError.self) { try Framing.length(ofHeader: Data([0xFF, 0xFF, 0xFF, 0xFF])) }
        #expect(throws: SandboxError.self) { try Framing.length(ofHeader: Data([0, 1])) }
    }

    @Test("a result encodes to exactly the CLI contract's keys, with nulls written")
    func resultKeys() throws {
        let result = SandboxResult(stdout: "2\n", exitCode: 0, durationMs: 1.5)
        let object = try JSONSerialization.jsonObject(with: JSONEncoder().encode(result)) as! [String: Any]
        #expect(Set(object.keys) == ["ok", "stdout", "stderr", "exitCode", "signal", "timedOut",
                                     "outputTruncated", "durationMs", "error"])
        #expect(object["ok"] as? Bool == true)
        #expect(object["signal"] is NSNull)
        #expect(object["error"] is NSNull)
    }

    @Test("ok is true only for a completed run with exit code 0")
    func okRule() {
        #expect(SandboxResult(exitCode: 0).ok)
        #expect(!SandboxResult(exitCode: 1).ok)
        #expect(!SandboxResult(exitCode: nil, signal: "SIGKILL").ok)
        #expect(!SandboxResult(exitCode: 0, outputTruncated: true).ok)
        #expect(!SandboxResult(exitCode: 0, timedOut: true).ok)
    }

    @Test("limits travel in milliseconds and whole MB")
    func limitsWire() {
        let wire = SandboxLimits(timeoutSeconds: 1.5, cpuSeconds: 0, memoryMB: 256).wire
        #expect(wire.timeoutMs == 1500)
        #expect(wire.cpuSeconds == 1)  // at least one second: RLIMIT_CPU has 1 s resolution
        #expect(wire.memoryMB == 256)
    }

    @Test("JSON values round-trip")
    func jsonValues() throws {
        let value: JSONValue = .object(["a": .array([.int(1), .double(2.5), .string("x"), .bool(true), .null])])
        let decoded = try JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(value))
        #expect(decoded == value)
    }
}
