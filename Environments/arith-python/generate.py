"""Tasks for arith-python: exact integer arithmetic on 4–6 digit numbers.

Kinds: `one-step` (a * b + c) and `multi-step` (three or four operations with brackets). Both
need exact products of 9–14 digits, which no one does reliably in their head, so the `python`
tool is the way to the answer (`first_action: "python"`).

A task belongs to the test split when the CRC-32 of its prompt is ≡ 0 (mod 10), else to train,
so the splits can never share a prompt whatever seed and counts are asked for.
"""
import random
import zlib

ONE_STEP = "What is {a} * {b} + {c}?"
MULTI_STEP = (
    ("What is ({a} * {b} - {c}) * {d}?", lambda a, b, c, d: (a * b - c) * d),
    ("What is {a} * {b} * {d} - {c}?", lambda a, b, c, d: a * b * d - c),
    ("What is ({a} + {c}) * ({b} - {d})?", lambda a, b, c, d: (a + c) * (b - d)),
    ("What is {a} * {b} - {c} * {d}?", lambda a, b, c, d: a * b - c * d),
)


def _split_of(prompt: str) -> str:
    return "test" if zlib.crc32(prompt.encode()) % 10 == 0 else "train"


def _task(rng: random.Random) -> dict:
    a, b = rng.randint(10_000, 99_999), rng.randint(1_000, 9_999)
    c, d = rng.randint(100, 999), rng.randint(11, 97)
    if rng.random() < 0.5:
        prompt = ONE_STEP.format(a=a, b=b, c=c)
        return {"kind": "one-step", "prompt": prompt, "answer": a * b + c,
                "code": f"print({a}*{b}+{c})"}
    template, fn = rng.choice(MULTI_STEP)
    prompt = template.format(a=a, b=b, c=c, d=d)
    code = prompt[len("What is "):-1].replace(" ", "")
    return {"kind": "multi-step", "prompt": prompt, "answer": fn(a, b, c, d), "code": f"print({code})"}


def generate(split: str, seed: int, count: int) -> list[dict]:
    """`count` tasks of `split` ("train" | "test"), the same list for the same arguments."""
    if split not in ("train", "test"):
        raise ValueError(f"split must be train or test, not {split!r}")
    rng = random.Random(f"arith-python:{seed}")
    tasks, seen = [], set()
    while len(tasks) < count:
        task = _task(rng)
        if _split_of(task["prompt"]) != split or task["prompt"] in seen:
            continue
        seen.add(task["prompt"])
        task["id"] = f"{split}-{len(tasks):05d}"
        task["first_action"] = "python"
        tasks.append(task)
    return tasks
