"""Tasks for guess-country: a secret country among a short list of candidates.

Kinds: `few` (12 candidates) and `many` (24). Candidate lists are drawn from attributes.json
(158 Factbook countries, 126 distinct attribute rows): distinct rows first, then one country of
each, so every two candidates differ in at least one attribute the `ask` tool answers — each task
is solvable by questions alone. The secret is uniform over the list. The lists are long enough
that asking beats naming candidates one by one (a wrong guess only costs a turn): see
strategies.py, which measures both on these tasks.
A task is in the test split when the CRC-32 of its prompt is ≡ 0 (mod 10), else in train, so
the splits never share a prompt.

Hidden field: `secret` (the secret's attributes, for tools.py). expert.py reads every
candidate's attributes from attributes.json itself, which keeps the tasks small.
"""
import json
import os
import random
import zlib

SIZES = {"few": 12, "many": 24}


def _countries() -> dict:
    """Country name -> Factbook attributes (attributes.json of this folder)."""
    folder = os.environ.get("TURNRL_ENV_DIR") or os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(folder, "attributes.json")) as f:
        return json.load(f)["countries"]


def generate(split: str, seed: int, count: int) -> list[dict]:
    """`count` tasks of `split` ("train" | "test"), the same list for the same arguments."""
    if split not in ("train", "test"):
        raise ValueError(f"split must be train or test, not {split!r}")
    countries = _countries()
    rows = {}  # attribute row -> the countries that share it (no question tells them apart)
    for name in sorted(countries):
        rows.setdefault(json.dumps(countries[name], sort_keys=True), []).append(name)
    groups = [rows[row] for row in sorted(rows)]
    rng = random.Random(f"guess-country:{seed}")
    tasks, seen = [], set()
    while len(tasks) < count:
        kind = rng.choice(sorted(SIZES))
        candidates = [rng.choice(group) for group in rng.sample(groups, SIZES[kind])]
        prompt = "The secret country is one of: " + ", ".join(candidates) + "."
        if (zlib.crc32(prompt.encode()) % 10 == 0) != (split == "test") or prompt in seen:
            continue
        seen.add(prompt)
        secret = rng.choice(candidates)
        tasks.append({"id": f"{split}-{len(tasks):05d}", "kind": kind, "prompt": prompt, "answer": secret,
                      "first_action": "ask", "candidates": candidates, "secret": countries[secret]})
    return tasks
