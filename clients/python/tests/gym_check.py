"""Gymnasium's env_checker on the TurnRL adapter, then one full episode through it.
Usage: gym_check.py URL ENV. Prints one JSON line; exits 1 on failure (check_env raises)."""
import json
import sys
import warnings

from gymnasium.utils.env_checker import check_env

from policies import POLICIES
from turnrl_client import TurnRLGymEnv


def main() -> int:
    url, env_name = sys.argv[1], sys.argv[2]
    env = TurnRLGymEnv(url, split="test")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        check_env(env, skip_render_check=True)
    text, info = env.reset(seed=3)
    prompt, observations, rewards, terminated, truncated = text, [], [], False, False
    while not (terminated or truncated):
        text, reward, terminated, truncated, info = env.step(POLICIES[env_name](prompt, observations))
        observations.append(text)
        rewards.append(reward)
    env.close()
    print(json.dumps({"checked": True, "warnings": [str(w.message) for w in caught], "steps": len(rewards),
                      "return": sum(rewards), "terminated": terminated, "success": info["success"]}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
