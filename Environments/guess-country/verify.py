"""guess-country verifier: is the guess the secret country?

The reward is all in env.yaml: ArCHer's twenty questions (Zhou et al. 2024) give −1 for every
turn that does not end the game and 0 for the right guess, so `reward.per_turn: -1` does it
and the verifier only says which guesses are right (`_success`, a metric, never rewarded). With
`wrong_answer: continue` a wrong guess does not end the game: it costs its turn like a question.
"""


def _norm(name: str) -> str:
    words = name.lower().replace(".", " ").split()
    return " ".join(words[1:] if words[:1] == ["the"] else words)


def verify(task: dict, answer: str, trajectory: list[dict]) -> dict[str, float]:
    """`_success` 1 for the secret country (case, dots and a leading "the" ignored), else 0."""
    return {"_success": 1.0 if _norm(answer) == _norm(task["answer"]) else 0.0}
