import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
@testable import PolicyModels

/// A stub OpenAI-compatible server for the client tests: a python3 http.server on 127.0.0.1, on
/// a free port it picks itself, answering with recorded responses chosen by the request's
/// `model`. It exits by itself: when its stdin closes (the test ends or dies) or after 120 s.
final class OpenAIStubServer {
    /// The recorded responses, by model name:
    /// - `plain`: a plain answer;
    /// - `tools`: a native tool call when the request offers `tools`, else a plain answer;
    /// - `notools`: llama.cpp without --jinja — HTTP 500 "tools param requires --jinja flag"
    ///   when the request has `tools`; without them, a Hermes `<tool_call>` in the content;
    /// - `slow`: answers after 5 s (longer than the tests' timeout);
    /// - `error500`: always HTTP 500;
    /// - `flaky`: HTTP 503 (Retry-After: 0) twice, then a plain answer;
    /// - `malformed`: HTTP 200 with a body that is not JSON;
    /// - `errorbody`: HTTP 200 carrying an `error` object instead of choices;
    /// - `badrequest`: HTTP 400 (not retried).
    /// `GET /v1/models` lists `plain`; `GET /log` returns every request received so far.
    static let script = #"""
    import json, sys, threading, time, os
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    LOG, COUNTS, LOCK = [], {}, threading.Lock()
    PLAIN = {"id": "x", "object": "chat.completion", "choices": [{"index": 0, "finish_reason": "stop",
             "message": {"role": "assistant", "content": "The answer is 4."}}],
             "usage": {"prompt_tokens": 12, "completion_tokens": 5, "total_tokens": 17}}
    TOOL = {"choices": [{"index": 0, "finish_reason": "tool_calls", "message": {"role": "assistant", "content": None,
            "tool_calls": [{"id": "call_7", "type": "function",
                            "function": {"name": "ask", "arguments": "{\"question\": \"Is it in Africa?\"}"}}]}}]}
    HERMES = {"choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant",
              "content": "<tool_call>{\"name\": \"ask\", \"arguments\": {\"question\": \"Is it landlocked?\"}}</tool_call>"}}]}

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def reply(self, status, body, headers=()):
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for key, value in headers:
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (timeout test)

        def do_GET(self):
            if self.path == "/log":
                with LOCK:
                    self.reply(200, LOG)
            elif self.path == "/v1/models":
                self.reply(200, {"object": "list", "data": [{"id": "plain", "object": "model"}]})
            else:
                self.reply(404, {"error": {"message": "not found"}})

        def do_POST(self):
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
            model = body.get("model")
            with LOCK:
                LOG.append({"path": self.path, "authorization": self.headers.get("Authorization"), "body": body})
                COUNTS[model] = COUNTS.get(model, 0) + 1
                count = COUNTS[model]
            if self.path != "/v1/chat/completions":
                self.reply(404, {"error": {"message": "not found"}})
            elif model == "plain":
                self.reply(200, PLAIN)
            elif model == "tools":
                self.reply(200, TOOL if body.get("tools") else PLAIN)
            elif model == "notools":
                if body.get("tools"):
                    self.reply(500, {"error": {"code": 500, "message": "tools param requires --jinja flag", "type": "server_error"}})
                else:
                    self.reply(200, HERMES)
            elif model == "slow":
                time.sleep(5)
                self.reply(200, PLAIN)
            elif model == "error500":
                self.reply(500, {"error": {"message": "model crashed"}})
            elif model == "flaky":
                if count <= 2:
                    self.reply(503, {"error": {"message": "loading model"}}, [("Retry-After", "0")])
                else:
                    self.reply(200, PLAIN)
            elif model == "malformed":
                self.reply(200, b'{"choices": [{"message": ')
            elif model == "errorbody":
                self.reply(200, {"error": {"message": "context length exceeded"}})
            elif model == "badrequest":
                self.reply(400, {"error": {"message": "bad request"}})
            else:
                self.reply(404, {"error": {"message": f"unknown model {model}"}})

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(server.server_address[1], flush=True)
    threading.Thread(target=lambda: (sys.stdin.read(), os._exit(0)), daemon=True).start()
    time.sleep(120)
    os._exit(0)
    """#

    let process: Process
    let stdin: Pipe
    let port: Int

    /// Starts the server and waits for it to print its port.
    init() throws {
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", Self.script]
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
