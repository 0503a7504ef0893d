"""Client for a TurnRL environment server (`turnrl serve --env NAME`).

`TurnRLEnv` speaks OpenEnv's WebSocket protocol (one session per connection);
`TurnRLGymEnv` (needs gymnasium) wraps it as a Gymnasium `Env` with text spaces.
"""
from .client import StepResult, TurnRLEnv, TurnRLError

__all__ = ["StepResult", "TurnRLEnv", "TurnRLError", "TurnRLGymEnv", "UnicodeText"]


def __getattr__(name):
    # gymnasium is optional: import the adapter only when it is asked for.
    if name in ("TurnRLGymEnv", "UnicodeText"):
        from . import gym_env

        return getattr(gym_env, name)
    raise AttributeError(name)
