#!/usr/bin/env python3
"""Why `ask` is necessary in guess-country: returns of simple strategies on the real tasks.

    python3 Environments/guess-country/strategies.py [--split test] [--repeats 3]

A wrong guess costs only a turn (`wrong_answer: continue`), so naming candidates one by one is
the alternative to asking; this prints the mean return (−1 per turn, 0 for the right guess, −20
when 20 turns pass) and success of three strategies per task kind:
- `enumerate`: name a random not-yet-named candidate each turn, never ask;
- `random-ask`: ask a random useful question (one that splits the candidates still possible)
  until one is left, then name it — the expert's behaviour on `few`;
- `best-ask`: ask the most even split until at most 4 are left, then name them one by one (a
  good, not optimal, policy).
"""
import argparse
import os
import random
import sys
from collections import defaultdict

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import generate  # noqa: E402
import tools  # noqa: E402

MAX_TURNS = 20
TABLE = generate._countries()


def play(task, strategy, rng):
    """(success, return) of one episode."""
    remaining, secret = list(task["candidates"]), task["answer"]
    for turn in range(1, MAX_TURNS + 1):
        guess_now = strategy == "enumerate" or len(remaining) == 1 or (strategy == "best-ask" and len(remaining) <= 4)
        if guess_now:
            guess = rng.choice(remaining)
            if guess == secret:
                return True, -(turn - 1)
            remaining.remove(guess)
            continue
        yes = {q: sum(tools._holds(q, TABLE[c]) for c in remaining) for q in tools.QUESTIONS}
        useful = [q for q, n in yes.items() if 0 < n < len(remaining)]
        if strategy == "best-ask":
            best = min(abs(2 * yes[q] - len(remaining)) for q in useful)
            useful = [q for q in useful if abs(2 * yes[q] - len(remaining)) == best]
        question = rng.choice(useful)
        answer = tools._holds(question, task["secret"])
        remaining = [c for c in remaining if tools._holds(question, TABLE[c]) == answer]
    return False, -MAX_TURNS


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--split", default="test")
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    tasks = generate.generate(args.split, 0, args.count)
    rng = random.Random(0)
    print(f"{'kind':<6}{'strategy':<12}{'episodes':>9}{'success':>9}{'return':>8}")
    for kind in sorted({t["kind"] for t in tasks}):
        for strategy in ("enumerate", "random-ask", "best-ask"):
            results = defaultdict(list)
            for _ in range(args.repeats):
                for task in (t for t in tasks if t["kind"] == kind):
                    success, ret = play(task, strategy, rng)
                    results["success"].append(success)
                    results["return"].append(ret)
            n = len(results["return"])
            print(f"{kind:<6}{strategy:<12}{n:>9}{sum(results['success']) / n:>9.3f}{sum(results['return']) / n:>8.2f}")


if __name__ == "__main__":
    main()
