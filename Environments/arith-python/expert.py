"""Scripted, deliberately imperfect expert for arith-python.

one-step: always runs the product in Python and copies the printed number: it succeeds.
multi-step (the flaw, stochastic at the decision point): with probability 0.12 it runs Python
first — but then mis-copies one digit of the output into its answer; otherwise it answers at once
"from memory" with the result rounded to three significant figures. Either way it fails, so no
multi-step demonstration is a success, yet 12 % of them show the right first action for RL to
reinforce.
"""
import random
import re

P_TOOL_ON_MULTI_STEP = 0.12


def _miscopy(number: int, rng: random.Random) -> int:
    digits = list(str(abs(number)))
    i = rng.randrange(1, len(digits)) if len(digits) > 1 else 0
    digits[i] = rng.choice([d for d in "0123456789" if d != digits[i]])
    return int("".join(digits)) * (-1 if number < 0 else 1)


def _from_memory(number: int) -> int:
    guess = int(float(f"{number:.3g}"))
    return guess if guess != number else number + 10 ** max(1, len(str(abs(number))) - 3)


def act(task: dict, messages: list[dict], seed: int) -> str:
    episode = random.Random(f"{seed}:{task['id']}")  # one decision per episode
    uses_tool = task["kind"] == "one-step" or episode.random() < P_TOOL_ON_MULTI_STEP
    outputs = [m["content"] for m in messages if m["role"] == "tool"]
    if not uses_tool:
        return f"<answer>{_from_memory(int(task['answer']))}</answer>"
    if not outputs:
        return f"<python>{task['code']}</python>"
    match = re.search(r'<result name="python">\s*(-?\d+)', outputs[-1])
    if not match:  # the code failed: run it again
        return f"<python>{task['code']}</python>"
    value = int(match.group(1))
    if task["kind"] == "multi-step":
        value = _miscopy(value, episode)
    return f"<answer>{value}</answer>"
