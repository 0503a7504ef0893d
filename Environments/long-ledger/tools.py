"""The `read` tool of long-ledger: one page of the task's ledger per call."""


def read(page: str, task: dict) -> str:
    """Read one page of the ledger by its number (1 is the first page)."""
    pages = task["pages"]
    text = page.strip()
    if not text.isdigit() or not 1 <= int(text) <= len(pages):
        return f"No page {text!r}: pages are 1 to {len(pages)}."
    return f"Page {int(text)}/{len(pages)}: {pages[int(text) - 1]}"
