"""arith-python verifier: 1.0 when the answer is exactly the right integer, else 0.0.

Digits may be grouped with commas, spaces or underscores ("440,040,362"); anything that is not
an integer scores 0.
"""
import re


def verify(task: dict, answer: str, trajectory: list[dict]) -> float:
    text = re.sub(r"[,_\s]", "", answer)
    if not re.fullmatch(r"-?\d+", text):
        return 0.0
    return 1.0 if int(text) == int(task["answer"]) else 0.0
