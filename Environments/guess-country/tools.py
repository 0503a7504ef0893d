"""The `ask` tool of guess-country: yes/no answers about the secret country.

Only the fixed questions below are understood (case and spacing do not matter), so a small
model can learn them exactly; anything else gets a short reminder instead of a guess at meaning.
The answer comes from the secret country's Factbook attributes, which the task record carries
(`task["secret"]`), so the tool reads no files.
"""
REGIONS = {
    "africa": "Africa", "europe": "Europe", "middle-east": "the Middle East", "south-asia": "South Asia",
    "east-n-southeast-asia": "East or Southeast Asia", "central-asia": "Central Asia",
    "south-america": "South America", "central-america-n-caribbean": "Central America or the Caribbean",
    "north-america": "North America", "australia-oceania": "Oceania",
}
LANGUAGES = ["English", "French", "Spanish", "Arabic", "Portuguese", "Russian"]

# question -> (attribute, value that makes the answer "yes")
QUESTIONS = {f"Is it in {label}?": ("region", region) for region, label in REGIONS.items()}
QUESTIONS.update({
    "Is it landlocked?": ("landlocked", True),
    "Is it in the southern hemisphere?": ("southern", True),
    "Is it in the western hemisphere?": ("western", True),
    "Does it have over 10 million people?": ("pop10m", True),
    "Does it have over 50 million people?": ("pop50m", True),
    "Is it larger than 500000 sq km?": ("big", True),
    "Is it a monarchy?": ("monarchy", True),
    "Does it use the euro?": ("euro", True),
})
QUESTIONS.update({f"Is {language} spoken there?": ("lang_" + language.lower(), True) for language in LANGUAGES})


def _key(question: str) -> str:
    return " ".join(question.lower().replace("?", " ").split())


_BY_KEY = {_key(q): test for q, test in QUESTIONS.items()}


def _holds(question: str, attributes: dict):
    """True / False for an understood question about a country's attributes, None otherwise."""
    test = _BY_KEY.get(_key(question))
    if test is None:
        return None
    attribute, value = test
    return attributes[attribute] == value


def ask(question: str, task: dict) -> str:
    """Ask one yes/no question about the secret country; the answer is yes or no."""
    holds = _holds(question, task["secret"])
    if holds is None:
        return "I only understand the questions listed in the instructions."
    return "yes" if holds else "no"
