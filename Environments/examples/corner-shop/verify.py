"""Verifier of the corner-shop example: is the answer the exact total in cents?

Returns named components: `correct` is the reward; names starting with "_" are metrics that are
reported but not added to the reward (`_success` tells `turnrl env check` the episode succeeded;
`_price_calls` counts how often the policy asked for a price).
"""
import re


def verify(task: dict, answer: str, trajectory: list[dict]) -> dict[str, float]:
    digits = re.sub(r"[^\d]", "", answer)
    correct = digits != "" and int(digits) == int(task["answer"])
    calls = sum(m["content"].count("<price>") for m in trajectory if m["role"] == "assistant")
    return {"correct": 1.0 if correct else 0.0, "_success": 1.0 if correct else 0.0, "_price_calls": float(calls)}
