def verify(task: dict, answer: str, trajectory: list):
    # Test hooks: these two answers make the verifier misbehave on purpose.
    if answer == "raise":
        raise ValueError("verifier exploded on purpose")
    if answer == "text":
        return "not a number"
    ok = answer.strip() == task["answer"]
    return {"correct": 1.0 if ok else 0.0, "_success": 1.0 if ok else 0.0}
