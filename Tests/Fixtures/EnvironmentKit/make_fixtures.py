"""Writes the task files of the EnvironmentKit test fixtures (run: python3 make_fixtures.py)."""
import json
import os
import random

HERE = os.path.dirname(os.path.abspath(__file__))
OFFSETS = {"a": 3, "b": 5, "c": 11}


def tasks(split, count, rng):
    out = []
    for i in range(count):
        kind = "lookup" if i % 2 == 0 else "plain"
        x, y = rng.randrange(10_000, 99_999), rng.randrange(100, 999)
        task = {"id": f"{split}-{i:03d}", "kind": kind, "x": x, "y": y, "first_action": "python"}
        if kind == "lookup":
            key = rng.choice(sorted(OFFSETS))
            task.update(key=key, prompt=f"Compute {x} * {y} + offset('{key}').", answer=str(x * y + OFFSETS[key]))
        else:
            task.update(key=None, prompt=f"Compute {x} * {y}.", answer=str(x * y))
        out.append(task)
    return out


def main():
    rng = random.Random(7)
    folder = os.path.join(HERE, "calc")
    for split, count in (("train", 6), ("test", 4)):
        with open(os.path.join(folder, f"{split}.jsonl"), "w") as f:
            for task in tasks(split, count, rng):
                f.write(json.dumps(task) + "\n")
    with open(os.path.join(folder, "offsets.txt"), "w") as f:
        f.write("".join(f"{k}={v}\n" for k, v in sorted(OFFSETS.items())))


if __name__ == "__main__":
    main()
