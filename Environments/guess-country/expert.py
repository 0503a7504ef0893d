"""Scripted, deliberately imperfect expert for guess-country.

It keeps the candidates consistent with the answers so far (and not yet guessed) and asks a
random *useful* question (one whose answer splits them), not the best one — so it needs more
questions than a binary search. `few` (12 candidates): it asks until one candidate is left and
names it: it succeeds. `many` (24 candidates), the flaw, stochastic at the decision point: with
probability 0.12 it asks first, but loses patience after one to three questions; otherwise it
guesses at once. Once it guesses it goes on guessing on hunches, one new candidate per turn
(those consistent with the answers first), and its hunches are wrong: the script leaves the
secret out on purpose, so no `many` demonstration succeeds (with 23 wrong candidates it runs
out of turns first). 12 % of `many` episodes start with the right action (`ask`).
"""
import random
import re

import generate
import tools as TOOLS  # the sibling tools.py: the same question table the `ask` tool answers from

TABLE = generate._countries()  # every country's attributes, read once at import

P_ASK_ON_MANY = 0.12


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


def _guessed(messages):
    """Names guessed so far (all wrong: a right guess ends the episode)."""
    return {g.strip() for m in messages if m["role"] == "assistant" for g in re.findall(r"<answer>(.*?)</answer>", m["content"], re.S)}


def act(task: dict, messages: list[dict], seed: int) -> str:
    episode = random.Random(f"{seed}:{task['id']}")
    turn = random.Random(f"{seed}:{task['id']}:{len(messages)}")
    candidates = task["candidates"]
    history, guessed = _history(messages), _guessed(messages)
    remaining = [c for c in candidates
                 if c not in guessed and all(TOOLS._holds(q, TABLE[c]) == yes for q, yes in history)]
    if task["kind"] == "many":
        careful = episode.random() < P_ASK_ON_MANY
        patience = 1 + episode.randrange(3)
        if not careful or len(history) >= patience or guessed or len(remaining) == 1:
            hunches = [c for c in remaining if c != task["answer"]] \
                or [c for c in candidates if c != task["answer"] and c not in guessed]
            return f"<answer>{turn.choice(hunches)}</answer>"
    if len(remaining) == 1:
        return f"<answer>{remaining[0]}</answer>"
    useful = [q for q in TOOLS.QUESTIONS if len({TOOLS._holds(q, TABLE[c]) for c in remaining}) == 2]
    return f"<ask>{turn.choice(useful)}</ask>"
