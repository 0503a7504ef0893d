#!/usr/bin/env python3
"""A stub OpenAI-compatible chat server for TurnRL's tests (recorded responses, no model).

Binds 127.0.0.1 on a free port, prints the port on the first stdout line, and exits by itself
when its stdin closes (the test ends or dies) or after 120 s. The response is chosen by the
request's `model`; see OpenAIStubServer.swift (PolicyModelsTests) for the list. `shop` returns
a native call of corner-shop's `price` tool when the request offers tools.
"""
import json, sys, threading, time, os
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOG, COUNTS, LOCK = [], {}, threading.Lock()
PLAIN = {"id": "x", "object": "chat.completion", "choices": [{"index": 0, "finish_reason": "stop",
         "message": {"role": "assistant", "content": "The answer is 4."}}],
         "usage": {"prompt_tokens": 12, "completion_tokens": 5, "total_tokens": 17}}
TOOL = {"choices": [{"index": 0, "finish_reason": "tool_calls", "message": {"role": "assistant", "content": None,
        "tool_calls": [{"id": "call_7", "type": "function",
                        "function": {"name": "ask", "arguments": "{\"question\": \"Is it in Africa?\"}"}}]}}]}
SHOP = {"choices": [{"index": 0, "finish_reason": "tool_calls", "message": {"role": "assistant", "content": "",
        "tool_calls": [{"id": "call_1", "type": "function", "function": {"name": "price", "arguments": {"item": "pear"}}}]}}]}
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
        elif model == "shop":
            self.reply(200, SHOP if body.get("tools") else PLAIN)
        elif model == "notools":
            if body.get("tools"):
                self.reply(500, {"error": {"code": 500, "message": "tools param requires --jinja flag", "type": "server_error"}})
            else:
                self.reply(200, HERMES)
        elif model == "slow":
            time.sleep(30)
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
