"""Reading Factbook fields out of search-result text, shared by make_tasks.py (gold answers)
and expert.py (what it reads in its observations), so both agree by construction.

Works on one-line passage text, the way the `search` tool renders a passage.
"""
import re

# field -> (passage title suffix, search words after the country name, value pattern)
FIELDS = {
    "capital": ("Government: Capital", "capital", r"Capital, name: (.*?)(?= Capital, |…|$)"),
    "internet code": ("Communications: Internet country code", "internet country code",
                      r"Internet country code: (\.[a-z]{2})\b"),
    "currency": ("Economy: Exchange rates", "exchange rates currency", r"Currency: (.*?) per US dollar"),
    "anthem": ("Government: National anthem(s)", "national anthem", r'title: "([^"]+)"'),
    "language": ("People and Society: Languages", "languages", r"Languages: ([A-Z][\w' -]*?) \(official"),
}


def clean(field: str, value: str) -> str | None:
    """The answer form of a raw value, or None when it is not a clean short answer."""
    value = re.sub(r"\s*\([^)]*\)", "", value).strip()  # "Kyiv (Kiev is …)" -> "Kyiv"; "dinars (DZD)" -> "dinars"
    if not value or any(c in value for c in ";,…") or len(value.split()) > 5:
        return None
    return value


def read(field: str, country: str, results: str) -> str | None:
    """The field's value for `country` from rendered search results, if a result shows it."""
    suffix, _, pattern = FIELDS[field]
    blocks = re.split(r"(?m)^\d+\. ", results)
    for block in blocks:
        title, _, body = block.partition("\n")
        if title.startswith(f"{country} — {suffix} ["):
            found = re.search(pattern, body)
            return clean(field, found.group(1)) if found else None
    return None


def country_with_code(code: str, results: str) -> str | None:
    """The country whose internet-code passage in `results` shows `code`."""
    for block in re.split(r"(?m)^\d+\. ", results):
        title, _, body = block.partition("\n")
        found = re.match(r"(.+?) — Communications: Internet country code \[", title)
        if found and re.search(rf"Internet country code: {re.escape(code)}\b", body):
            return found.group(1)
    return None
