"""Scripted, deliberately imperfect expert for knowledge-qa.

one-hop: searches `<Country> <field words>`, reads the value out of the result (fields.py) and
answers it: it succeeds whenever the search shows it (make_tasks.py keeps only such questions).
two-hop, the flaw, stochastic at the decision point: with probability 0.12 it first searches the
bridge (`internet country code .td`) — but then, instead of the second search, it answers from
"memory" (`task["memory"]`, the same field of another country, no word in common with the gold);
otherwise it answers from memory at once. No two-hop episode succeeds; 12 % start right.
"""
import importlib.util
import os
import random
import re

P_SEARCH_ON_TWO_HOP = 0.12


def _fields():
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fields.py")
    spec = importlib.util.spec_from_file_location("knowledge_qa_fields", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


FIELDS = _fields()


def act(task: dict, messages: list[dict], seed: int) -> str:
    episode = random.Random(f"{seed}:{task['id']}")
    results = [m["content"] for m in messages if m["role"] == "tool"]
    field, country = task["field"], task["country"]
    if task["kind"] == "two-hop":
        if episode.random() >= P_SEARCH_ON_TWO_HOP or results:
            return f"<answer>{task['memory']}</answer>"
        return f"<search>internet country code {task['code']}</search>"
    if not results:
        return f"<search>{country} {FIELDS.FIELDS[field][1]}</search>"
    body = re.sub(r'^<result name="search">|</result>$', "", results[-1])
    value = FIELDS.read(field, country, body)
    return f"<answer>{value or 'unknown'}</answer>"
