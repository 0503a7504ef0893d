"""knowledge-qa verifier: SQuAD-style normalised token F1 between answer and gold, in [0, 1].

Normalisation (Rajpurkar et al. 2016, the SQuAD v1.1 evaluation script): lowercase, drop
punctuation and the articles a/an/the, collapse spaces. F1 is 1.0 exactly when the normalised
answer equals the normalised gold (exact match), and gives partial credit otherwise
("Algerian dinar" vs "Algerian dinars": 0.5). Success (`_success`, a metric, not reward) is
exact match only.
"""
import re
import string
from collections import Counter


def _tokens(text: str) -> list[str]:
    text = "".join(c for c in text.lower() if c not in set(string.punctuation))
    return re.sub(r"\b(a|an|the)\b", " ", text).split()


def f1(answer: str, gold: str) -> float:
    predicted, expected = _tokens(answer), _tokens(gold)
    if predicted == expected:
        return 1.0
    common = sum((Counter(predicted) & Counter(expected)).values())
    if common == 0:
        return 0.0
    precision, recall = common / len(predicted), common / len(expected)
    return 2 * precision * recall / (precision + recall)


def verify(task: dict, answer: str, trajectory: list[dict]) -> dict[str, float]:
    """Reward `f1`; the metric `_success` is exact match after normalisation."""
    score = f1(answer, str(task["answer"]))
    return {"f1": score, "_success": 1.0 if score == 1.0 else 0.0}
