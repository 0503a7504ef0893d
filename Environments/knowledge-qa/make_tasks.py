"""Builds train.jsonl / test.jsonl (committed) for knowledge-qa from the knowledge index.

    swift build -c release --product turnrl && bash .ci/setup      # corpus + index
    python3 Environments/knowledge-qa/make_tasks.py [--turnrl .build/release/turnrl] [--index DB]

Gold answers are read from the Factbook passages of the index itself (capital, internet country
code, currency, national anthem, first official language), so they are exactly what the
`search` tool shows. A question is kept only if the real binary makes it answerable: every
query the expert issues for it (`<Country> capital`, `internet country code .td`, …) puts the
needed passage in the top 5 of `turnrl index query` AND inside the capped observation the
policy sees (observation_cap_chars of env.yaml), where fields.py reads the right value.

Kinds: `one-hop` ("What is the capital of Chad?") and `two-hop` ("What is the capital of the
country with internet code .td?": find the country by its code, then the field). Test split:
CRC-32 of the prompt ≡ 0 (mod 10). Hidden fields for the expert: `country`, `field`, `code`
(two-hop bridge) and `memory` (the wrong answer it gives "from memory": the same field of
another country, sharing no word with the gold answer).
"""
import argparse
import json
import os
import random
import re
import sqlite3
import sys
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "_harness"))
import yaml  # noqa: E402

from check import cap, render_search  # noqa: E402
from fields import FIELDS, clean, country_with_code, read  # noqa: E402

ONE_HOP = {
    "capital": "What is the capital of {c}?",
    "internet code": "What is the internet country code of {c}?",
    "currency": "What currency does {c} use?",
    "anthem": "What is the title of the national anthem of {c}?",
    "language": "Which official language is listed first for {c}?",
}
TWO_HOP = {
    "capital": "What is the capital of the country with internet code {code}?",
    "currency": "What currency does the country with internet code {code} use?",
    "anthem": "What is the national anthem of the country with internet code {code}?",
    "language": "Which official language is listed first for the country with internet code {code}?",
}


def query(country, field):
    return f"{country} {FIELDS[field][1]}"


def bridge_query(code):
    return f"internet country code {code}"


def gold_table(db):
    """country -> field -> clean value, from the Factbook passages of the index."""
    table = {}
    for field, (suffix, _, pattern) in FIELDS.items():
        for title, body in db.execute("SELECT title, body FROM passages WHERE source LIKE '%factbook%' AND title LIKE ?",
                                      (f"% — {suffix}",)):
            country = title[: -len(f" — {suffix}")]
            found = re.search(pattern, " ".join(body.split()))
            value = clean(field, found.group(1)) if found else None
            if value:
                table.setdefault(country, {})[field] = value
    return table


def words(text):
    return set(re.sub(r"[^\w\s]", " ", text.lower()).split())


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--turnrl", default=".build/release/turnrl")
    parser.add_argument("--index", default=os.path.join(os.environ.get("TURNRL_HOME") or os.path.expanduser("~/.local/share/turnrl"),
                                                        "indexes", "knowledge.sqlite"))
    args = parser.parse_args()
    turnrl = os.path.abspath(args.turnrl)
    with open(os.path.join(HERE, "env.yaml")) as f:
        limit = int(yaml.safe_load(f)["observation_cap_chars"])
    db = sqlite3.connect(f"file:{args.index}?mode=ro", uri=True)
    table = gold_table(db)
    cache = {}

    def shown(q):  # what the policy sees for query q, and the top-5 titles+bodies
        if q not in cache:
            cache[q] = (cap(render_search(turnrl, args.index, db, q), limit), render_search(turnrl, args.index, db, q, k=5))
        return cache[q]

    def answerable(country, field):
        observed, top5 = shown(query(country, field))
        return read(field, country, observed) == table[country][field] and read(field, country, top5) is not None

    rng = random.Random("knowledge-qa")
    countries = sorted(table)
    splits = {"train": [], "test": []}
    rejected = 0
    for country in countries:
        for field, value in sorted(table[country].items()):
            others = [c for c in countries if field in table[c] and not words(table[c][field]) & words(value)]
            memory = table[rng.choice(others)][field]
            tasks = [{"kind": "one-hop", "prompt": ONE_HOP[field].format(c=country), "answer": value,
                      "first_action": "search", "country": country, "field": field}]
            code = table[country].get("internet code")
            if field in TWO_HOP and code:
                tasks.append({"kind": "two-hop", "prompt": TWO_HOP[field].format(code=code), "answer": value,
                              "first_action": "search", "country": country, "field": field, "code": code,
                              "memory": memory})
            for task in tasks:
                ok = answerable(country, field)
                if ok and task["kind"] == "two-hop":
                    observed, top5 = shown(bridge_query(code))
                    ok = country_with_code(code, observed) == country and country_with_code(code, top5) == country
                if not ok:
                    rejected += 1
                    continue
                split = "test" if zlib.crc32(task["prompt"].encode()) % 10 == 0 else "train"
                task = {"id": f"{split}-{len(splits[split]):05d}", **task}
                splits[split].append(task)
    for split, tasks in splits.items():
        with open(os.path.join(HERE, f"{split}.jsonl"), "w") as f:
            for task in tasks:
                f.write(json.dumps(task, ensure_ascii=False) + "\n")
    kinds = {s: {k: sum(t["kind"] == k for t in ts) for k in ("one-hop", "two-hop")} for s, ts in splits.items()}
    print(f"{len(countries)} countries; kept {kinds}; rejected {rejected} not answerable with the real index")


if __name__ == "__main__":
    main()
