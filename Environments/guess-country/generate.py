"""Tasks for guess-country: a secret country among a short list of candidates.

Kinds: `few` (5 candidates) and `many` (10). Candidate lists are drawn from attributes.json
(158 Factbook countries) so that every two candidates differ in at least one attribute the `ask`
tool answers — each task is solvable by questions alone. The secret is uniform over the list.
A task is in the test split when the CRC-32 of its prompt is ≡ 0 (mod 10), else in train, so
the splits never share a prompt.

Hidden fields: `secret` (the secret's attributes, for tools.py), `table` (every candidate's
attributes, for expert.py).
"""
import json
import os
import random
import zlib

SIZES = {"few": 5, "many": 10}


def _countries() -> dict:
    folder = os.environ.get("TURNRL_ENV_DIR") or os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(folder, "attributes.json")) as f:
        return json.load(f)["countries"]


def generate(split: str, seed: int, count: int) -> list[dict]:
    """`count` tasks of `split` ("train" | "test"), the same list for the same arguments."""
    if split not in ("train", "test"):
        raise ValueError(f"split must be train or test, not {split!r}")
    countries = _countries()
    names = sorted(countries)
    rng = random.Random(f"guess-country:{seed}")
    tasks, seen = [], set()
    while len(tasks) < count:
        kind = rng.choice(sorted(SIZES))
        candidates = rng.sample(names, SIZES[kind])
        rows = {json.dumps(countries[c], sort_keys=True) for c in candidates}
        if len(rows) < len(candidates):  # two candidates no question can tell apart
            continue
        prompt = "The secret country is one of: " + ", ".join(candidates) + "."
        if (zlib.crc32(prompt.encode()) % 10 == 0) != (split == "test") or prompt in seen:
            continue
        seen.add(prompt)
        secret = rng.choice(candidates)
        tasks.append({"id": f"{split}-{len(tasks):05d}", "kind": kind, "prompt": prompt, "answer": secret,
                      "first_action": "ask", "candidates": candidates, "secret": countries[secret],
                      "table": {c: countries[c] for c in candidates}})
    return tasks
