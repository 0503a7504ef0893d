"""Tools of the corner-shop example: every public function with type hints becomes a tool.

The docstring's first line is the tool's description; the parameter `item` is its one
argument, so the policy writes `<price>pear</price>`.
"""

# This shop's own prices in cents: no model can know them, so it has to ask.
PRICES = {
    "apple": 45, "pear": 62, "lemon": 38, "melon": 215, "bread": 189, "milk": 97,
    "cheese": 412, "eggs": 268, "rice": 153, "tea": 331, "coffee": 579, "honey": 447,
}


def price(item: str) -> str:
    """The shop's price of one item, in cents."""
    key = item.strip().lower()
    if key not in PRICES and key.endswith("s") and key[:-1] in PRICES:  # "pears" -> "pear"
        key = key[:-1]
    if key not in PRICES:
        return f"We do not sell {item.strip()!r}. We sell: {', '.join(sorted(PRICES))}."
    return f"{key}: {PRICES[key]} cents"
