"""long-ledger verifier: 1.0 when the answer matches (case, spaces and a final period ignored), else 0.0."""


def verify(task: dict, answer: str, trajectory: list[dict]) -> float:
    def norm(text: str) -> str:
        return " ".join(text.strip().rstrip(".").upper().split())
    return 1.0 if norm(answer) == norm(str(task["answer"])) else 0.0
