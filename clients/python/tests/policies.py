"""Scripted test policies that finish episodes of the built-in environments from what a client
sees (the prompt and the observations), with no access to the task's answer."""
import re


def arith_python(prompt: str, observations: list) -> str:
    """Runs the prompt's expression in the python tool, then answers with the printed number."""
    if not observations:
        expression = re.search(r"What is (.*)\?", prompt).group(1)
        return f"<python>print({expression})</python>"
    printed = re.search(r'<result name="python">\s*(-?\d+)', observations[-1])
    return f"<answer>{printed.group(1)}</answer>"


def guess_country(prompt: str, observations: list) -> str:
    """Asks two questions, then names the candidates in order (a wrong name costs a turn and the
    game goes on, as in twenty questions) until one is right or the turns run out."""
    questions = ["Is it landlocked?", "Is it in Europe?"]
    if len(observations) < len(questions):
        return f"<ask>{questions[len(observations)]}</ask>"
    candidates = [c.strip() for c in prompt.split("one of:", 1)[1].rstrip(".").split(",")]
    return f"<answer>{candidates[(len(observations) - len(questions)) % len(candidates)]}</answer>"


POLICIES = {"arith-python": arith_python, "guess-country": guess_country}
