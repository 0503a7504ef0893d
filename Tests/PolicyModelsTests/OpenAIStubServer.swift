import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
@testable import PolicyModels

/// A stub OpenAI-compatible server for the client tests: `Tests/Fixtures/OpenAIStub/server.py`,
/// a python3 http.server on 127.0.0.1, on a free port it picks itself, answering with recorded
/// responses chosen by the request's `model`. It exits by itself: when its stdin closes (the test
/// ends or dies) or after 120 s.
final class OpenAIStubServer {
    /// The recorded responses, by model name:
    /// - `plain`: a plain answer;
    /// - `tools`: a native tool call when the request offers `tools`, else a plain answer;
    /// - `notools`: llama.cpp without --jinja — HTTP 500 "tools param requires --jinja flag"
    ///   when the request has `tools`; without them, a Hermes `<tool_call>` in the content;
    /// - `slow`: answers after 30 s (far longer than the tests' timeout);
    /// - `error500`: always HTTP 500;
    /// - `flaky`: HTTP 503 (Retry-After: 0) twice, then a plain answer;
    /// - `malformed`: HTTP 200 with a body that is not JSON;
    /// - `errorbody`: HTTP 200 carrying an `error` object instead of choices;
    /// - `badrequest`: HTTP 400 (not retried);
    /// - `shop`: a native call of corner-shop's `price` tool (arguments sent as an object).
    /// `GET /v1/models` lists `plain`; `GET /log` returns every request received so far.
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/OpenAIStub/server.py").path

    let process: Process
    let stdin: Pipe
    let port: Int

    /// Starts the server and waits for it to print its port.
    init() throws {
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Self.script]
        stdin = Pipe()
        let stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        try process.run()
        var line = Data()
        while let byte = try stdout.fileHandleForReading.read(upToCount: 1), !byte.isEmpty, byte != Data("\n".utf8) {
            line.append(byte)
        }
        guard let port = Int(String(decoding: line, as: UTF8.self)) else {
            process.terminate()
            throw CocoaError(.fileReadCorruptFile, userInfo: [NSLocalizedDescriptionKey: "the stub server printed no port"])
        }
        self.port = port
    }

    var baseURL: URL { URL(string: "http://127.0.0.1:\(port)/v1")! }

    /// Every request the server received: path, Authorization header, JSON body.
    func log() async throws -> [[String: Any]] {
        let response = try await HTTPTransport().send(URLRequest(url: URL(string: "http://127.0.0.1:\(port)/log")!), timeoutSeconds: 5)
        return try JSONSerialization.jsonObject(with: response.body) as? [[String: Any]] ?? []
    }

    /// Closes the server's stdin: it exits at once.
    func stop() {
        try? stdin.fileHandleForWriting.close()
        process.waitUntilExit()
    }

    deinit { stop() }
}
