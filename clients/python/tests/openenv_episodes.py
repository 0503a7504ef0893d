"""OpenEnv's own client (openenv-core's GenericEnvClient, unchanged) plays full episodes on a
TurnRL server. Usage: openenv_episodes.py URL ENV EPISODES. Prints one JSON summary line;
exits 1 when an episode does not end or a reply lacks what the protocol promises."""
import json
import sys

from openenv.core.generic_client import GenericEnvClient

from policies import POLICIES


def main() -> int:
    url, env_name, episodes = sys.argv[1], sys.argv[2], int(sys.argv[3])
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
    print(json.dumps(summary))
    return 1 if summary["problems"] else 0


if __name__ == "__main__":
    sys.exit(main())
