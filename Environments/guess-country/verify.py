"""guess-country verifier: 0.0 for the right country, −1.0 for a wrong guess.

With the per-turn reward of −0.05 this is the ArCHer twenty-questions shape scaled by 1/20 so
the return stays in [−1, 0]: a wrong guess costs as much as running out of all 20 turns, so
guessing blindly early never beats asking.
"""


def _norm(name: str) -> str:
    words = name.lower().replace(".", " ").split()
    return " ".join(words[1:] if words[:1] == ["the"] else words)


def verify(task: dict, answer: str, trajectory: list[dict]) -> dict[str, float]:
    """Reward `guess` (0 right, −1 wrong); the metric `_success` says which."""
    right = _norm(answer) == _norm(task["answer"])
    return {"guess": 0.0 if right else -1.0, "_success": 1.0 if right else 0.0}
