import os


def offset(key: str, task: dict) -> str:
    """Look up the secret offset called key."""
    # Read at call time, from this folder (TURNRL_ENV_DIR), inside the sandbox.
    with open(os.path.join(os.environ["TURNRL_ENV_DIR"], "offsets.txt")) as f:
        table = dict(line.split("=") for line in f.read().split())
    if key not in table:
        return f"no offset named {key!r}; known: {', '.join(sorted(table))}"
    return table[key]


def _helper_not_a_tool() -> str:
    return "private"
