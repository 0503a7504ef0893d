"""OpenEnv's own tools against TurnRL servers: its client (openenv-core's GenericEnvClient,
unchanged) plays full episodes, and its validator (`openenv validate --url`, run through the
openenv CLI's own entry point in this process, so openenv is imported once) checks each server.
Usage: openenv_checks.py EPISODES URL=ENV [URL=ENV ...]. Prints one JSON line
{ENV: {episodes, steps, successes, returns, tool_calls, problems, validate}}; exits 1 when an
episode does not end, a reply lacks what the protocol promises, or validation fails."""
import contextlib
import io
import json
import sys

from openenv.cli.__main__ import app as openenv_cli
from openenv.core.generic_client import GenericEnvClient

from policies import POLICIES


def play(url: str, env_name: str, episodes: int) -> dict:
    policy = POLICIES[env_name]
    summary = {"episodes": 0, "steps": 0, "successes": 0, "returns": [], "tool_calls": 0, "problems": []}
    with GenericEnvClient(base_url=url).sync() as env:
        for seed in range(episodes):
            result = env.reset(seed=seed, split="test")
            prompt, observations, episode_return = result.observation["text"], [], 0.0
            if result.reward is not None or result.done or result.observation["turn"] != 0:
                summary["problems"].append(f"seed {seed}: reset reply {result}")
            for _ in range(30):
                result = env.step({"message": policy(prompt, observations)})
                observation = result.observation
                observations.append(observation["text"])
                episode_return += result.reward
                summary["steps"] += 1
                summary["tool_calls"] += len(observation["tool_calls"])
                if observation["infra_error"]:
                    summary["problems"].append(f"seed {seed}: infra error {observation['infra_error']}")
                if result.done:
                    break
            else:
                summary["problems"].append(f"seed {seed}: episode did not end in 30 steps")
            state = env.state()
            if state["step_count"] != len(observations) or not state["done"]:
                summary["problems"].append(f"seed {seed}: state {state} after {len(observations)} steps")
            summary["episodes"] += 1
            summary["successes"] += bool(observation["success"])
            summary["returns"].append(round(episode_return, 4))
    return summary


def validate(url: str) -> dict:
    """`openenv validate --url URL`: its JSON report, and its exit code (None or 0: passed)."""
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        code = openenv_cli(["validate", "--url", url], standalone_mode=False)
    report = json.loads(printed.getvalue())
    report["exit_code"] = code or 0
    return report


def main() -> int:
    episodes, targets = int(sys.argv[1]), [arg.split("=", 1) for arg in sys.argv[2:]]
    results = {}
    for url, env_name in targets:
        summary = play(url, env_name, episodes)
        summary["validate"] = validate(url)
        if summary["validate"]["exit_code"] != 0:
            summary["problems"].append(f"openenv validate failed: {summary['validate']['summary']}")
        results[env_name] = summary
    print(json.dumps(results))
    return 1 if any(summary["problems"] for summary in results.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
