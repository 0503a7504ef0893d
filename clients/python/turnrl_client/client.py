"""A plain websocket client for TurnRL's OpenEnv-compatible server.

    with TurnRLEnv("http://127.0.0.1:8000") as env:
        result = env.reset(seed=1, split="test")
        while not result.done:
            result = env.step(my_agent(result.text))
"""
from __future__ import annotations

import json
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import Any, Optional

from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect


class TurnRLError(RuntimeError):
    """An error reply from the server: `code` is one of OpenEnv's codes (INVALID_JSON,
    UNKNOWN_TYPE, VALIDATION_ERROR, EXECUTION_ERROR, CAPACITY_REACHED, SESSION_ERROR)."""

    def __init__(self, code: str, message: str):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


@dataclass
class StepResult:
    """What reset and step return: OpenEnv's `{observation, reward, done}`."""

    observation: dict = field(default_factory=dict)
    reward: Optional[float] = None
    done: bool = False

    @property
    def text(self) -> str:
        """What the agent sees next (the task prompt after reset, tool results after a step)."""
        return self.observation.get("text", "")


def websocket_url(base_url: str) -> str:
    """http(s)://host:port[/] -> ws(s)://host:port/ws (a ws:// URL is kept as given)."""
    url = base_url.rstrip("/")
    if url.startswith("https://"):
        url = "wss://" + url[len("https://"):]
    elif url.startswith("http://"):
        url = "ws://" + url[len("http://"):]
    elif not url.startswith(("ws://", "wss://")):
        url = "ws://" + url
    return url if url.endswith("/ws") else url + "/ws"


class TurnRLEnv:
    """One environment session on a TurnRL server (one websocket connection)."""

    def __init__(self, base_url: str = "http://127.0.0.1:8000", timeout: float = 60.0, max_message_bytes: int = 16 << 20):
        self.url = websocket_url(base_url)
        self.timeout = timeout
        # The connection lives in an ExitStack: websockets wants connect() used as a context manager.
        self._stack = ExitStack()
        self._ws = self._stack.enter_context(connect(self.url, open_timeout=timeout, max_size=max_message_bytes))

    def request(self, message: dict) -> dict:
        """Sends one protocol message and returns the reply; error replies raise TurnRLError."""
        try:
            self._ws.send(json.dumps(message))
        except ConnectionClosed:
            # The server may have answered and closed before this message went out (a full
            # server sends CAPACITY_REACHED, an idle session SESSION_ERROR): read that answer.
            pass
        reply = json.loads(self._ws.recv(timeout=self.timeout))
        if reply.get("type") == "error":
            data = reply.get("data", {})
            raise TurnRLError(data.get("code", "UNKNOWN"), data.get("message", ""))
        return reply

    def reset(self, seed: Optional[int] = None, split: Optional[str] = None, task_id: Optional[str] = None,
              episode_id: Optional[str] = None) -> StepResult:
        """Starts an episode: `seed` picks the task (same seed, same task), `split` is "train" or "test"."""
        data = {k: v for k, v in {"seed": seed, "split": split, "task_id": task_id, "episode_id": episode_id}.items() if v is not None}
        return self._result(self.request({"type": "reset", "data": data}))

    def step(self, message: str) -> StepResult:
        """Sends the agent's whole utterance (tool calls and/or an answer in the environment's format)."""
        return self._result(self.request({"type": "step", "data": {"message": message}}))

    def state(self) -> dict:
        """`{"episode_id", "step_count", "task_id", "done"}`."""
        return self.request({"type": "state"})["data"]

    def list_tools(self) -> list:
        """The environment's tools (MCP form: name, description, inputSchema)."""
        return self._mcp("tools/list", {})["tools"]

    def call_tool(self, name: str, **arguments: Any) -> dict:
        """Calls a tool directly (in the current episode's task): `{"content": [...], "isError": bool}`."""
        return self._mcp("tools/call", {"name": name, "arguments": arguments})

    def close(self) -> None:
        """Ends the session (the server frees its slot) and the connection."""
        try:
            self._ws.send(json.dumps({"type": "close"}))
        except Exception:
            pass  # already closed by the server (idle timeout) or the network
        self._stack.close()

    def __enter__(self) -> "TurnRLEnv":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _mcp(self, method: str, params: dict) -> dict:
        reply = self.request({"type": "mcp", "data": {"jsonrpc": "2.0", "id": 1, "method": method, "params": params}})["data"]
        if "error" in reply:
            raise TurnRLError("MCP_ERROR", reply["error"].get("message", ""))
        return reply["result"]

    @staticmethod
    def _result(reply: dict) -> StepResult:
        data = reply.get("data", {})
        return StepResult(observation=data.get("observation", {}), reward=data.get("reward"), done=bool(data.get("done", False)))
