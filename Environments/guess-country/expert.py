"""Scripted, deliberately imperfect expert for guess-country.

It keeps the candidates consistent with the answers so far and asks a random *useful* question
(one whose answer splits them), not the best one — so it needs more questions than a binary
search. `few` (5 candidates): it asks until one candidate is left and names it: it succeeds.
`many` (10 candidates), the flaw, stochastic at the decision point: with probability 0.12 it asks
first, but loses patience after one to three questions and guesses a wrong candidate; otherwise
it guesses a wrong candidate at once. No `many` episode succeeds; 12 % start with the right
action (`ask`).
"""
import importlib.util
import os
import random
import re

P_ASK_ON_MANY = 0.12


def _tools():
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "tools.py")
    spec = importlib.util.spec_from_file_location("guess_country_tools", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


TOOLS = _tools()


def _history(messages):
    """(question, yes?) pairs: each <ask> of the expert with the result that followed it."""
    pairs = []
    for i, m in enumerate(messages):
        ask = re.search(r"<ask>(.*?)</ask>", m["content"], re.S) if m["role"] == "assistant" else None
        if ask and i + 1 < len(messages):
            result = re.search(r'<result name="ask">\s*(yes|no)', messages[i + 1]["content"])
            if result:
                pairs.append((ask.group(1), result.group(1) == "yes"))
    return pairs


def act(task: dict, messages: list[dict], seed: int) -> str:
    episode = random.Random(f"{seed}:{task['id']}")
    turn = random.Random(f"{seed}:{task['id']}:{len(messages)}")
    table, candidates = task["table"], task["candidates"]
    history = _history(messages)
    remaining = [c for c in candidates if all(TOOLS._holds(q, table[c]) == yes for q, yes in history)]
    if task["kind"] == "many":
        careful = episode.random() < P_ASK_ON_MANY
        patience = 1 + episode.randrange(3)
        if not careful or len(history) >= patience or len(remaining) == 1:
            wrong = [c for c in remaining if c != task["answer"]] or [c for c in candidates if c != task["answer"]]
            return f"<answer>{turn.choice(wrong)}</answer>"
    if len(remaining) == 1:
        return f"<answer>{remaining[0]}</answer>"
    useful = [q for q in TOOLS.QUESTIONS if len({TOOLS._holds(q, table[c]) for c in remaining}) == 2]
    return f"<ask>{turn.choice(useful)}</ask>"
