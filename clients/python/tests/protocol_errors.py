"""Bad input, capacity and idle reclaiming on a TurnRL server started with
--max-sessions 3 --idle-timeout 3 --max-message-bytes 4096 (arith-python).
Usage: protocol_errors.py URL. Prints one JSON line of what each case got; exits 1 when a case
does not get its documented reply, or a healthy session stops being served."""
import json
import sys
import time
import urllib.error
import urllib.request

from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from turnrl_client import TurnRLEnv, TurnRLError
from turnrl_client.client import websocket_url

problems = []


def expect(condition, what):
    if not condition:
        problems.append(what)


def raw_reply(ws, text):
    ws.send(text)
    return json.loads(ws.recv(timeout=30))


def error_code(reply):
    return reply["data"]["code"] if reply.get("type") == "error" else None


def healthy_step(env, seed):
    """A well-behaved session: reset and one step still work."""
    result = env.reset(seed=seed, split="test")
    step = env.step("<python>print(1 + 1)</python>")
    return result.observation["turn"] == 0 and step.observation["turn"] == 1 and "2" in step.text


def metrics(url):
    with urllib.request.urlopen(url + "/metrics", timeout=10) as response:
        return json.loads(response.read())


def post(url, body):
    """(status, JSON reply) of a POST with a raw body."""
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"}, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def http_cases(url, got):
    """The stateless HTTP routes: a good step, bad ones, and MCP tool calls."""
    status, reply = post(url + "/step", json.dumps({"action": {"message": "<python>print(6 * 7)</python>"}, "seed": 4}).encode())
    expect(status == 200 and "42" in reply["observation"]["text"] and reply["done"] is False, f"HTTP step: {status} {reply}")
    for name, body, want in [("http_bad_action", b'{"action": {"msg": "x"}}', 422), ("http_not_json", b"{oops", 422),
                             ("http_oversized", json.dumps({"action": {"message": "x" * 10000}}).encode(), 413)]:
        status, reply = post(url + "/step", body)
        got[name] = status
        expect(status == want and "detail" in reply, f"{name}: {status} {reply}")
    _, tools = post(url + "/mcp", json.dumps({"jsonrpc": "2.0", "id": 1, "method": "tools/list"}).encode())
    expect([tool["name"] for tool in tools["result"]["tools"]] == ["python"], f"tools/list: {tools}")
    _, call = post(url + "/mcp", json.dumps({"jsonrpc": "2.0", "id": 2, "method": "tools/call",
                                             "params": {"name": "python", "arguments": {"code": "print(2 ** 20)"}}}).encode())
    expect(call["result"]["content"][0]["text"].strip() == "1048576" and call["result"]["isError"] is False, f"tools/call: {call}")


def main() -> int:
    url = sys.argv[1].rstrip("/")
    got = {}
    http_cases(url, got)
    healthy = TurnRLEnv(url)
    expect(healthy_step(healthy, 0), "healthy session failed before the bad input")
    with connect(websocket_url(url), max_size=1 << 24) as ws:
        cases = {
            "invalid_json": ("{not json", "INVALID_JSON"),
            "json_array": ("[1, 2]", "INVALID_JSON"),
            "unknown_type": (json.dumps({"type": "jump"}), "UNKNOWN_TYPE"),
            "step_before_reset": (json.dumps({"type": "step", "data": {"message": "<answer>1</answer>"}}), "SESSION_ERROR"),
            "negative_seed": (json.dumps({"type": "reset", "data": {"seed": -1}}), "VALIDATION_ERROR"),
            "missing_message": (json.dumps({"type": "step", "data": {}}), "VALIDATION_ERROR"),
            "unknown_action_field": (json.dumps({"type": "step", "data": {"message": "x", "code": "1"}}), "VALIDATION_ERROR"),
            "oversized": (json.dumps({"type": "step", "data": {"message": "x" * 10000}}), "VALIDATION_ERROR"),
            "unknown_task": (json.dumps({"type": "reset", "data": {"task_id": "no-such-task"}}), "VALIDATION_ERROR"),
        }
        for name, (text, code) in cases.items():
            reply = raw_reply(ws, text)
            got[name] = error_code(reply)
            expect(got[name] == code, f"{name}: expected {code}, got {reply}")
            expect(healthy_step(healthy, 1), f"healthy session failed after {name}")
        # The same connection is still usable: play arith-python to the end, then step after done.
        reply = raw_reply(ws, json.dumps({"type": "reset", "data": {"seed": 2, "split": "test"}}))
        expect(reply["type"] == "observation", f"reset after bad input: {reply}")
        reply = raw_reply(ws, json.dumps({"type": "step", "data": {"message": "<answer>0</answer>"}}))
        expect(reply["type"] == "observation" and reply["data"]["done"] is True, f"answer step: {reply}")
        reply = raw_reply(ws, json.dumps({"type": "step", "data": {"message": "<answer>0</answer>"}}))
        got["step_after_done"] = error_code(reply)
        expect(got["step_after_done"] == "SESSION_ERROR", f"step after done: {reply}")
        expect(raw_reply(ws, json.dumps({"type": "state"}))["data"]["step_count"] == 1, "state after done")

        # Capacity: `healthy` and `ws` hold 2 of 3 slots; a third fits, a fourth is refused.
        third = TurnRLEnv(url)
        try:
            TurnRLEnv(url).reset(seed=0)
            got["fourth_session"] = None
        except TurnRLError as error:
            got["fourth_session"] = error.code
        expect(got["fourth_session"] == "CAPACITY_REACHED", f"fourth session: {got['fourth_session']}")
        third.close()
        time.sleep(0.2)
        replacement = TurnRLEnv(url)
        expect(healthy_step(replacement, 3), "a session opened after one closed failed")
        replacement.close()
        try:
            ws.send(json.dumps({"type": "close"}))
        except ConnectionClosed:
            pass  # reclaimed meanwhile on a very slow machine; the counts below still hold

    # Idle reclaiming: `healthy` sends nothing for longer than the 3 s timeout.
    time.sleep(5.0)
    try:
        healthy.step("<answer>1</answer>")
        got["after_idle"] = "served"
    except TurnRLError as error:
        got["after_idle"] = error.code
    except ConnectionClosed:
        got["after_idle"] = "closed"
    expect(got["after_idle"] in ("SESSION_ERROR", "closed"), f"idle session: {got['after_idle']}")
    counts = metrics(url)
    got["metrics"] = counts
    expect(counts["sessionsReclaimed"] >= 1, f"no session reclaimed: {counts}")
    expect(counts["capacityRejections"] == 1, f"capacity rejections: {counts}")
    expect(counts["activeSessions"] == 0, f"sessions still open: {counts}")
    expect(counts["errorsByCode"].get("INVALID_JSON") == 3, f"error counts: {counts}")
    got["problems"] = problems
    print(json.dumps(got))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
