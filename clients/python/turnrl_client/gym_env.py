"""A Gymnasium `Env` over a TurnRL server: observations and actions are text.

    env = TurnRLGymEnv("http://127.0.0.1:8000", split="test")
    text, info = env.reset(seed=0)
    text, reward, terminated, truncated, info = env.step("<python>print(6*7)</python>")
"""
from __future__ import annotations

from typing import Any, Optional

import gymnasium
from gymnasium import spaces

from .client import TurnRLEnv


class UnicodeText(spaces.Text):
    """A text space holding any string within the length bounds.

    Gymnasium's `Text` only contains strings over its charset (alphanumerics by default);
    observations and utterances hold any Unicode (tags, spaces, newlines, accented names).
    `sample()` still draws from the charset.
    """

    def contains(self, x: Any) -> bool:
        return isinstance(x, str) and self.min_length <= len(x) <= self.max_length

    def __repr__(self) -> str:
        return f"UnicodeText({self.min_length}, {self.max_length})"


class TurnRLGymEnv(gymnasium.Env):
    """One TurnRL session as a Gymnasium environment.

    `reset(seed=s)` plays the task seed `s` picks (reproducible); `reset()` draws the server seed
    from the env's `np_random`. `options` may hold `split` and `task_id`. The observation is the
    text the agent sees; `info` holds the rest of TurnRL's observation (tool calls, reward
    components, format and infrastructure errors, turn, task id).
    """

    metadata = {"render_modes": ["ansi"]}

    def __init__(self, base_url: str = "http://127.0.0.1:8000", split: str = "train", render_mode: Optional[str] = None,
                 max_observation_chars: int = 1_000_000, max_action_chars: int = 4096, timeout: float = 60.0):
        super().__init__()
        if render_mode not in (None, "ansi"):
            raise ValueError(f"render_mode must be None or 'ansi', got {render_mode!r}")
        self.render_mode = render_mode
        self.split = split
        self.observation_space = UnicodeText(max_length=max_observation_chars, min_length=0)
        self.action_space = UnicodeText(max_length=max_action_chars, min_length=0)
        self.client = TurnRLEnv(base_url, timeout=timeout)
        self._last_text = ""

    def reset(self, *, seed: Optional[int] = None, options: Optional[dict] = None):
        super().reset(seed=seed)
        options = dict(options or {})
        server_seed = seed if seed is not None else int(self.np_random.integers(0, 2**62))
        result = self.client.reset(seed=server_seed, split=options.get("split", self.split), task_id=options.get("task_id"))
        return self._text(result), self._info(result.observation)

    def step(self, action: str):
        result = self.client.step(action)
        observation = result.observation
        text = self._text(result)
        reward = float(result.reward) if result.reward is not None else 0.0
        return text, reward, bool(observation.get("terminated", False)), bool(observation.get("truncated", False)), self._info(observation)

    def render(self):
        if self.render_mode == "ansi":
            return self._last_text
        return None

    def close(self):
        if self.client is not None:
            self.client.close()
            self.client = None
        super().close()

    def _text(self, result) -> str:
        self._last_text = result.text  # what render("ansi") shows
        return result.text

    @staticmethod
    def _info(observation: dict) -> dict:
        # A new dict per call (Gymnasium's checker refuses infos that share objects).
        return {key: value for key, value in observation.items() if key != "text"}
