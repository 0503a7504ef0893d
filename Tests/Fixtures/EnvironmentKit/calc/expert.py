import random
import re


def act(task: dict, messages: list, seed: int) -> str:
    """Multiplies in Python (keeping the product in a session variable), adds the offset, answers.
    On 'plain' tasks it sometimes answers from 'memory' with a wrong digit (a stochastic flaw)."""
    rng = random.Random(f"{seed}:{task['id']}:{len(messages)}")
    turn = sum(1 for m in messages if m["role"] == "assistant")
    if turn == 0:
        if task["kind"] == "plain" and rng.random() < 0.5:
            return f"<answer>{int(task['answer']) + 1}</answer>"
        code = f"<python>v = {task['x']} * {task['y']}\nprint(v)</python>"
        return code + (f"<offset>{task['key']}</offset>" if task["key"] else "")
    if turn == 1 and task["key"]:
        found = re.findall(r'<result name="offset">(\d+)</result>', messages[-1]["content"])
        return f"<python>print(v + {found[0]})</python>"
    numbers = re.findall(r"\d+", messages[-1]["content"])
    return f"<answer>{numbers[-1] if task['key'] else numbers[0]}</answer>"
